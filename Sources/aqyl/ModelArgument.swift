import Engine
import Foundation
import GGUF
import ModelHub
import ModelStore

/// The one way every command turns a `--model` value into a file: a catalog short name
/// (fetched on first use, progress on stderr), a hub reference (`hf:ORG/REPO[:QUANT]`,
/// or a hub catalog name such as `kazllm-1.0-8b`), or a path to a GGUF file.
enum ModelArgument {
    /// The GGUF path `name` stands for; with `fetch: false` a catalog or hub model must be cached already.
    static func path(_ name: String, fetch: Bool = true) async throws -> String {
        if let reference = try hubReference(name) {
            return try await pull(reference, offline: fetch ? nil : true).modelPath
        }
        return try await ModelCache().resolve(name, fetchIfMissing: fetch) { printErr($0) }
    }

    /// The hub reference a `--model` value means, if it means one: `hf:…`, or a hub
    /// catalog name that is not an existing file.
    static func hubReference(_ name: String) throws -> HubReference? {
        if HubReference.isHubReference(name) { return try HubReference.parse(name) }
        if let model = HubCatalog.model(named: name), !FileManager.default.fileExists(atPath: name) {
            return try HubReference.parse(model.reference)
        }
        return nil
    }

    /// Pulls a hub model with a progress line on stderr.
    static func pull(_ reference: HubReference, offline: Bool? = nil) async throws -> HubPull {
        let printer = HubProgressPrinter()
        let client = HubClient(events: { printer.handle($0) })
        return try await client.pull(reference, offline: offline)
    }

    /// The parsed file (metadata, tokenizer, tensors mapped, no weights loaded).
    static func file(_ name: String) async throws -> GGUFFile {
        try GGUFFile(path: try await path(name))
    }

    /// The model ready to run.
    static func load(_ name: String, numerics: NumericsOption) async throws -> LoadedModel {
        try LoadedModel(path: try await path(name), kernels: numerics.kernels)
    }

    /// The id a model is served and reported under: the catalog name, `ORG/REPO[:QUANT]`
    /// for a hub reference, else the file's name.
    static func id(_ name: String, path: String) -> String {
        if let spec = ModelCatalog.spec(named: name) { return spec.name }
        if let model = HubCatalog.model(named: name) { return model.name }
        if let reference = try? HubReference.parse(name) {
            return String(reference.description.dropFirst(HubReference.scheme.count))
        }
        return URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}

/// Draws hub download progress on stderr: one rewritten line on a terminal, a line
/// per 10% otherwise (logs stay short).
final class HubProgressPrinter: @unchecked Sendable {
    // @unchecked: all state is behind `lock`.
    private let lock = NSLock()
    private let terminal = isatty(2) != 0
    private var lastDecile: [String: Int] = [:]

    func handle(_ event: HubEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case let .message(text):
            printErr(text)
        case let .progress(file, done, total, bps):
            let line = HubProgressLine.render(file: file, done: done, total: total, bytesPerSecond: bps)
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            } else {
                let decile = total > 0 ? done * 10 / total : 10
                if decile != lastDecile[file] {
                    lastDecile[file] = decile
                    printErr(line)
                }
            }
        case let .fileDone(file, bytes, seconds):
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let rate = seconds > 0 ? "  \(ByteCount.text(Int(Double(bytes) / seconds)))/s" : ""
            printErr("\(file): \(ByteCount.text(bytes)) verified in \(String(format: "%.1f", seconds)) s\(rate)")
        }
    }
}
