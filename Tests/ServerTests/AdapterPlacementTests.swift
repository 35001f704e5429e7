import Engine
import GGUF
import Models
import Server
import Testing
import TestSupport

/// `--lora` placement: the first model an adapter fits, ids unique across
/// models and adapters, and a refusal that says why.
@Suite struct AdapterPlacementTests {
    static func adapter(fitting model: LoadedModel, tensor: String = "blk.0.attn_q.weight", extraRows: Int = 0) throws -> LoRAAdapter {
        let dims = try #require(model.file.tensor(named: tensor)?.dimensions)
        let (inputs, outputs) = (dims[0], dims[1] + extraRows)
        var rng = SeededRandom(seed: 3)
        return LoRAAdapter(name: "t", architecture: model.file.architecture ?? "llama", alpha: 8, baseModelName: nil, pairs: [
            tensor: LoRAPair(rank: 4, inputs: inputs, outputs: outputs, a: rng.floats(4 * inputs, scale: 0.1),
                             b: rng.floats(4 * outputs, scale: 0.1)),
        ])
    }

    @Test func placesOnTheModelItFitsWithUniqueIDs() throws {
        let model = try #require(TestServer.tinyModel)
        var entries = [ModelEntry(id: "tiny", model: model)]
        let index = try AdapterPlacement.place(try Self.adapter(fitting: model), id: "kk", scale: 0.5, on: &entries)
        #expect(index == 0)
        #expect(entries[0].adapters.map(\.id) == ["kk"])
        #expect(throws: AdapterPlacement.Failure.duplicateID("kk")) {
            try AdapterPlacement.place(try Self.adapter(fitting: model), id: "kk", scale: 1, on: &entries)
        }
        #expect(throws: AdapterPlacement.Failure.duplicateID("tiny")) {
            try AdapterPlacement.place(try Self.adapter(fitting: model), id: "tiny", scale: 1, on: &entries)
        }
    }

    @Test func anAdapterThatFitsNoModelIsRefusedWithTheReason() throws {
        let model = try #require(TestServer.tinyModel)
        var entries = [ModelEntry(id: "tiny", model: model)]
        let wide = try Self.adapter(fitting: model, extraRows: 8)
        do {
            try AdapterPlacement.place(wide, id: "wide", scale: 1, on: &entries)
            Issue.record("a mis-shaped adapter was placed")
        } catch let .fitsNoModel(id, reason) {
            #expect(id == "wide")
            #expect(reason?.contains("blk.0.attn_q.weight") == true, "\(reason ?? "nil")")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(entries[0].adapters.isEmpty)
        var none: [ModelEntry] = []
        #expect(throws: AdapterPlacement.Failure.fitsNoModel(id: "x", reason: nil)) {
            try AdapterPlacement.place(try Self.adapter(fitting: model), id: "x", scale: 1, on: &none)
        }
    }
}
