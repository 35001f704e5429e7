import Testing
import Foundation
import GGUF
import Kernels
import Models
import TestSupport

@Suite struct TmpProbe {
    static let base: [Int32] = [504, 3575, 282, 4649, 314, 253, 1345, 30, 2114, 42]
    static let long: [Int32] = base + [1001, 2002, 77, 88, 999, 12345, 4000] + (5...24).map { Int32($0) }

    static func compare(_ ours: [Float], _ ref: ArraySlice<Float>) -> (Float, Float) {
        var num: Float = 0, den: Float = 0, maxd: Float = 0
        for (j, r) in ref.enumerated() { let d = ours[j] - r; num += d * d; den += r * r; maxd = max(maxd, abs(d)) }
        return ((num / den).squareRoot(), maxd)
    }

    @Test func probe() throws {
        let path = "/tmp/probe/smol10.bin"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let model = try Transformer(path: FixturePaths.model("smollm2-135m"))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let ll = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let v = model.config.vocabulary
        var prompts: [[Int32]] = (1...10).map { Array(Self.base.prefix($0)) }
        prompts.append(Self.long)
        for (i, p) in prompts.enumerated() where (i + 1) * v <= ll.count {
            model.numerics = .llamaCompatible
            let ours = try model.forward(p, cache: model.makeCache(capacity: 64), pool: ThreadPool(threads: 1))
            let (rel, maxd) = Self.compare(ours, ll[(i * v)..<((i + 1) * v)])
            print("PROBE prompt \(p.count): rel \(rel) maxabs \(maxd)")
        }
    }
}

extension TmpProbe {
    @Test func dumpTensors() throws {
        guard let n = ProcessInfo.processInfo.environment["PROBE_DUMP_N"].flatMap(Int.init) else { return }
        let env = ProcessInfo.processInfo.environment
        let model = try Transformer(path: FixturePaths.model(env["PROBE_MODEL"] ?? "smollm2-135m"))
        let dir = env["PROBE_DIR"] ?? "/tmp/ours\(n)"
        let tokens: [Int32] = env["PROBE_TOKENS"].map { $0.split(separator: ",").map { Int32($0)! } } ?? Self.base
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        model.debugTap = { name, buf in
            let d = Data(buffer: buf)
            try? d.write(to: URL(fileURLWithPath: "\(dir)/\(name).bin"))
        }
        let ours = try model.forward(Array(tokens.prefix(n)), cache: model.makeCache(capacity: 64),
                                     pool: ThreadPool(threads: 1), logits: .all)
        try ours.withUnsafeBufferPointer { try Data(buffer: $0).write(to: URL(fileURLWithPath: "\(dir)/logits.bin")) }
    }
}

extension TmpProbe {
    /// Logits rows from /tmp/probe/decode.py: [1-token prompt, full prompt, then one
    /// per single-token decode step].
    static func decodeProbe(model name: String, file: String, prompt: [Int32], extra: [Int32]) throws {
        guard FileManager.default.fileExists(atPath: file) else { return }
        let model = try Transformer(path: FixturePaths.model(name))
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let ll = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let v = model.config.vocabulary
        let pool = ThreadPool(threads: 1)
        func report(_ label: String, _ ours: [Float], _ row: Int) {
            let (rel, maxd) = compare(ours, ll[(row * v)..<((row + 1) * v)])
            print("PROBE \(name) \(label): rel \(rel) maxabs \(maxd)")
        }
        report("prompt 1", try model.forward(Array(prompt.prefix(1)), cache: model.makeCache(capacity: 64), pool: pool), 0)
        let cache = model.makeCache(capacity: 64)
        report("prompt \(prompt.count)", try model.forward(prompt, cache: cache, pool: pool), 1)
        for (i, t) in extra.enumerated() {
            report("decode \(i + 1)", try model.forward([t], cache: cache, pool: pool), 2 + i)
        }
    }

    @Test func decodeSmol() throws {
        try Self.decodeProbe(model: "smollm2-135m", file: "/tmp/probe/smol_dec.bin",
                             prompt: Self.base, extra: [1001, 2002, 77, 88, 999])
    }

    @Test func decodeGemma() throws {
        try Self.decodeProbe(model: "gemma3-270m", file: "/tmp/probe/gemma_dec.bin",
                             prompt: [2, 504, 3575, 282, 4649, 314, 253, 1345, 30, 2114], extra: [1001, 2002, 77, 88, 999])
    }
}
