import Engine
import Foundation
import GGUF
import ModelStore

/// The one way every command turns a `--model` value into a file: a catalog short name
/// (fetched on first use, progress on stderr) or a path to a GGUF file.
enum ModelArgument {
    /// The GGUF path `name` stands for; with `fetch: false` a catalog model must be cached already.
    static func path(_ name: String, fetch: Bool = true) async throws -> String {
        try await ModelCache().resolve(name, fetchIfMissing: fetch) { printErr($0) }
    }

    /// The parsed file (metadata, tokenizer, tensors mapped, no weights loaded).
    static func file(_ name: String) async throws -> GGUFFile {
        try GGUFFile(path: try await path(name))
    }

    /// The model ready to run.
    static func load(_ name: String, numerics: NumericsOption) async throws -> LoadedModel {
        try LoadedModel(path: try await path(name), kernels: numerics.kernels)
    }

    /// The id a model is served and reported under: the catalog name, else the file's name.
    static func id(_ name: String, path: String) -> String {
        ModelCatalog.spec(named: name)?.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
