import Foundation
import GGUF
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
@testable import ModelHub

/// `HubClient` against ``LocalHub``: the routes, the cache layout, resuming, hashes,
/// gating, disk checks and split models; and the official `huggingface_hub` client
/// against the same hub and the same cache.
@Suite(.serialized) struct HubPullTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A real tiny GGUF model (loads in the engine), its 2-part split, and a README.
    static let fixtures: (model: [UInt8], parts: [[UInt8]]) = {
        let dir = TempPaths.directory("hub-fixture")
        var builder = TinyModelBuilder()
        builder.matrixType = .q8_0
        builder.byteLevelTokenizer = true
        let whole = dir + "/tiny.gguf"
        try! builder.build().write(to: whole)
        try! GGUFSplitWriter.split(whole, into: 2, prefix: dir + "/tiny-Q8_0")
        let parts = (1...2).map { try! Array(Data(contentsOf: URL(fileURLWithPath: dir + "/tiny-Q8_0" + GGUFFile.splitSuffix($0, of: 2)))) }
        return (try! Array(Data(contentsOf: URL(fileURLWithPath: whole))), parts)
    }()

    static func hub() -> LocalHub {
        let f = fixtures
        return LocalHub(repos: [
            "kazakh/tiny-GGUF": .init(commit: commit, files: [
                "README.md": Array("# tiny\n".utf8),
                "tiny-Q8_0.gguf": f.model,
                "tiny-Q4_K_M.gguf": f.model.reversed(),  // another quant, never pulled here
            ]),
            "kazakh/split-GGUF": .init(commit: commit, files: [
                "tiny-Q8_0-00001-of-00002.gguf": f.parts[0], "tiny-Q8_0-00002-of-00002.gguf": f.parts[1],
            ]),
            "issai/gated-GGUF": .init(commit: commit, files: ["m-Q8_0.gguf": f.model], gatedTokens: ["hf_good"]),
        ])
    }

    func client(_ port: Int, cache: String, token: String? = nil, free: Int? = nil, attempts: Int = 5) -> HubClient {
        HubClient(settings: HubSettings(endpoint: "http://127.0.0.1:\(port)", token: token, offline: false, cacheDirectory: cache),
                  freeSpace: { _ in free }, attempts: attempts, retryDelay: .milliseconds(10))
    }

    func live(_ body: @escaping @Sendable (LocalHub, Int) async throws -> Void) async throws {
        let hub = Self.hub()
        try await hub.application().test(.live) { client in
            try await body(hub, try #require(client.port))
        }
    }

    @Test func pullsVerifiesAndNeverDownloadsTwice() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            let pulled = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(pulled.files == ["tiny-Q8_0.gguf"])
            #expect(pulled.commit == Self.commit)
            #expect(pulled.downloadedBytes == Self.fixtures.model.count)
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: pulled.modelPath))) == Self.fixtures.model)
            #expect(try GGUFFile(path: pulled.modelPath).architecture == "llama")

            // The hub client's layout: blob by sha256, relative snapshot link, ref.
            let repoDir = cache + "/models--kazakh--tiny-GGUF"
            let sha = LocalHub.sha256(Self.fixtures.model)
            #expect(FileManager.default.fileExists(atPath: repoDir + "/blobs/" + sha))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: repoDir + "/snapshots/\(Self.commit)/tiny-Q8_0.gguf")
                == "../../blobs/" + sha)
            #expect(try String(contentsOfFile: repoDir + "/refs/main", encoding: .utf8) == Self.commit)
            #expect(await hub.log.authorizationOnStorage == 0)

            let gets = await hub.log.storageGets
            let again = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(again.downloadedBytes == 0)
            #expect(again.modelPath == pulled.modelPath)
            #expect(await hub.log.storageGets == gets)
            let offline = try client(port, cache: cache).pullFromCache(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(offline.modelPath == pulled.modelPath)
            #expect(throws: HubError.offlineNotCached("hf:kazakh/tiny-GGUF:Q4_K_M")) {
                try client(port, cache: cache).pullFromCache(try HubReference.parse("hf:kazakh/tiny-GGUF:Q4_K_M"))
            }
        }
    }

    @Test func aDroppedConnectionResumesWithRange() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            await hub.log.setCut(after: 3000, times: 2)
            let pulled = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF/tiny-Q8_0.gguf"))
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: pulled.modelPath))) == Self.fixtures.model)
            let ranges = await hub.log.rangeRequests
            #expect(ranges == ["bytes=3000-", "bytes=6000-"])
            // Every byte crossed the wire once.
            #expect(await hub.log.storageBytes == Self.fixtures.model.count)
            #expect(pulled.downloadedBytes == Self.fixtures.model.count)
        }
    }

    @Test func aPartialFileFromAnEarlierRunIsResumed() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            let sha = LocalHub.sha256(Self.fixtures.model)
            let blobs = cache + "/models--kazakh--tiny-GGUF/blobs"
            try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
            try Data(Self.fixtures.model.prefix(5000)).write(to: URL(fileURLWithPath: blobs + "/\(sha).incomplete"))
            let pulled = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(await hub.log.rangeRequests == ["bytes=5000-"])
            #expect(pulled.downloadedBytes == Self.fixtures.model.count - 5000)
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: pulled.modelPath))) == Self.fixtures.model)
            #expect(!FileManager.default.fileExists(atPath: blobs + "/\(sha).incomplete"))
        }
    }

    @Test func aCorruptedDownloadIsDeleted() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            await hub.log.setCorrupt(true)
            await #expect {
                _ = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            } throws: { error in
                guard case HubError.hashMismatch = error else { return false }
                return "\(error)".contains("partial download was deleted")
            }
            #expect(Self.filesUnder(cache + "/models--kazakh--tiny-GGUF/blobs").isEmpty)
            #expect(Self.filesUnder(cache + "/models--kazakh--tiny-GGUF/snapshots").isEmpty)
            await hub.log.setCorrupt(false)
            let pulled = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(pulled.downloadedBytes == Self.fixtures.model.count)
        }
    }

    @Test func gatedReposNeedAToken() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            let ref = try HubReference.parse("hf:issai/gated-GGUF:Q8_0")
            await #expect(throws: HubError.gated("issai/gated-GGUF", tokenGiven: false)) {
                _ = try await client(port, cache: cache).pull(ref)
            }
            await #expect(throws: HubError.gated("issai/gated-GGUF", tokenGiven: true)) {
                _ = try await client(port, cache: cache, token: "hf_nope").pull(ref)
            }
            #expect(Self.filesUnder(cache).filter { !$0.contains(".locks") }.isEmpty)
            let pulled = try await client(port, cache: cache, token: "hf_good").pull(ref)
            #expect(pulled.downloadedBytes == Self.fixtures.model.count)
            #expect(await hub.log.authorizationOnStorage == 0)  // the token stays on the hub's origin
        }
    }

    @Test func unknownReposAndQuantsSayWhatExists() async throws {
        try await live { _, port in
            let cache = TempPaths.directory("hub-cache")
            await #expect(throws: HubError.unknownRepo("kazakh/nope", tokenGiven: false)) {
                _ = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/nope"))
            }
            await #expect(throws: HubError.unknownRepo("kazakh/nope", tokenGiven: true)) {
                _ = try await client(port, cache: cache, token: "t").pull(try HubReference.parse("hf:kazakh/nope"))
            }
            await #expect(throws: HubError.quantNotFound(repo: "kazakh/tiny-GGUF", quant: "Q5_K_M", available: ["Q4_K_M", "Q8_0"])) {
                _ = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q5_K_M"))
            }
            await #expect(throws: HubError.revisionNotFound(repo: "kazakh/tiny-GGUF", revision: "v9")) {
                _ = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/tiny-GGUF@v9:Q8_0"))
            }
        }
    }

    @Test func aDiskTooSmallIsRefusedBeforeDownloading() async throws {
        try await live { hub, port in
            let cache = TempPaths.directory("hub-cache")
            await #expect {
                _ = try await client(port, cache: cache, free: 1 << 20).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            } throws: { error in
                guard case let HubError.insufficientDisk(_, needed, available) = error else { return false }
                return needed == Self.fixtures.model.count && available == 1 << 20
            }
            #expect(await hub.log.storageGets == 0)
            #expect(Self.filesUnder(cache).filter { !$0.contains(".locks") }.isEmpty)
        }
    }

    @Test func splitModelsArePulledWholeAndLoad() async throws {
        try await live { _, port in
            let cache = TempPaths.directory("hub-cache")
            let pulled = try await client(port, cache: cache).pull(try HubReference.parse("hf:kazakh/split-GGUF:Q8_0"))
            #expect(pulled.files == ["tiny-Q8_0-00001-of-00002.gguf", "tiny-Q8_0-00002-of-00002.gguf"])
            let split = try GGUFFile(path: pulled.modelPath)
            let whole = try GGUFFile(bytes: Self.fixtures.model)
            #expect(split.partPaths.count == 2)
            #expect(split.tensors.map(\.name) == whole.tensors.map(\.name))
            for info in whole.tensors {
                let other = try #require(split.tensor(named: info.name))
                #expect(Array(split.tensorData(other)) == Array(whole.tensorData(info)))
            }
        }
    }

    /// The official client downloads the same bytes from the same hub; each tool finds
    /// what the other put in a shared cache without downloading it again.
    @Test func theOfficialHubClientAgrees() async throws {
        let check = try Self.run(["python3", "-c", "import huggingface_hub"], environment: [:])
        try #require(check.status == 0, "the `huggingface_hub` Python package is missing (.ci/run installs it): \(check.output)")
        try await live { hub, port in
            let env = ["HF_ENDPOINT": "http://127.0.0.1:\(port)", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"]
            let script = FixturePaths.packageRoot.appendingPathComponent("scripts/hub_client_check.py").path

            // 1. Separate caches: same bytes, same commit, same published hashes.
            let theirs = TempPaths.directory("hub-py")
            let result = try Self.run(["python3", script, "--repo", "kazakh/tiny-GGUF", "--file", "tiny-Q8_0.gguf", "--file", "README.md"],
                                      environment: env.merging(["HF_HUB_CACHE": theirs]) { $1 })
            try #require(result.status == 0, "\(result.output)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let files = try #require(json["files"] as? [String: [String: Any]])
            let ours = try await client(port, cache: TempPaths.directory("hub-cache")).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            #expect(json["sha"] as? String == ours.commit)
            #expect(files["tiny-Q8_0.gguf"]?["sha256"] as? String == LocalHub.sha256(Self.fixtures.model))
            #expect(try Data(contentsOf: URL(fileURLWithPath: files["tiny-Q8_0.gguf"]?["path"] as? String ?? "")) == Data(contentsOf: URL(fileURLWithPath: ours.modelPath)))
            let siblings = try #require(json["siblings"] as? [String: [String: Any]])
            #expect(siblings["tiny-Q8_0.gguf"]?["sha256"] as? String == LocalHub.sha256(Self.fixtures.model))

            // 2. One cache: the official client's download is reused by Aqyl…
            let shared = TempPaths.directory("hub-shared")
            let first = try Self.run(["python3", script, "--repo", "kazakh/split-GGUF", "--file", "tiny-Q8_0-00001-of-00002.gguf",
                                      "--file", "tiny-Q8_0-00002-of-00002.gguf"], environment: env.merging(["HF_HUB_CACHE": shared]) { $1 })
            try #require(first.status == 0, "\(first.output)")
            await hub.log.reset()
            let reused = try await client(port, cache: shared).pull(try HubReference.parse("hf:kazakh/split-GGUF:Q8_0"))
            #expect(reused.downloadedBytes == 0)
            #expect(await hub.log.storageGets == 0)
            // …and Aqyl's download is reused by the official client.
            _ = try await client(port, cache: shared).pull(try HubReference.parse("hf:kazakh/tiny-GGUF:Q8_0"))
            await hub.log.reset()
            let second = try Self.run(["python3", script, "--repo", "kazakh/tiny-GGUF", "--file", "tiny-Q8_0.gguf"],
                                      environment: env.merging(["HF_HUB_CACHE": shared]) { $1 })
            try #require(second.status == 0, "\(second.output)")
            #expect(await hub.log.storageGets == 0)
        }
    }

    // MARK: - Helpers

    static func filesUnder(_ dir: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        for case let rel as String in walker {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
        }
        return out
    }

    static func run(_ command: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let stdout = String(decoding: o, as: UTF8.self)
        return (p.terminationStatus, stdout, stdout + String(decoding: e, as: UTF8.self))
    }
}

/// The `aqyl` binary with `hf:` references: `models pull`, `--model hf:…`, offline use
/// and the refusals, each one clear line and a non-zero exit.
@Suite(.serialized) struct HubCLITests {
    static var aqyl: String { FixturePaths.packageRoot.appendingPathComponent(".build/debug/aqyl").path }

    @Test func pullThenUseTheSameSpellingAsAModel() async throws {
        let hub = HubPullTests.hub()
        try await hub.application().test(.live) { client in
            let port = try #require(client.port)
            let cache = TempPaths.directory("hub-cli")
            let env = ["HF_ENDPOINT": "http://127.0.0.1:\(port)", "HF_HUB_CACHE": cache, "HF_TOKEN": ""]
            let pull = try HubPullTests.run([Self.aqyl, "models", "pull", "hf:kazakh/split-GGUF:Q8_0"], environment: env)
            #expect(pull.status == 0, "\(pull.output)")
            let path = pull.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(path.hasSuffix("/snapshots/\(HubPullTests.commit)/tiny-Q8_0-00001-of-00002.gguf"))
            #expect(pull.output.contains("verified"))
            #expect(pull.output.contains("(2 parts)"))

            // Offline, the same spelling runs the model from the cache.
            let offline = env.merging(["HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"]) { $1 }
            let generate = try HubPullTests.run([Self.aqyl, "generate", "-m", "hf:kazakh/split-GGUF:Q8_0", "-p", "a b",
                                                 "--max-tokens", "4", "--temperature", "0", "-t", "1"], environment: offline)
            #expect(generate.status == 0, "\(generate.output)")
            let missing = try HubPullTests.run([Self.aqyl, "generate", "-m", "hf:kazakh/tiny-GGUF:Q8_0", "-p", "a"], environment: offline)
            #expect(missing.status != 0)
            #expect(missing.output.contains("not in the cache"), "\(missing.output)")

            let noQuant = try HubPullTests.run([Self.aqyl, "models", "pull", "hf:kazakh/tiny-GGUF:Q5_K_M"], environment: env)
            #expect(noQuant.status != 0)
            #expect(noQuant.output.contains("available quantizations: Q4_K_M, Q8_0"), "\(noQuant.output)")
            let gated = try HubPullTests.run([Self.aqyl, "models", "pull", "hf:issai/gated-GGUF:Q8_0"], environment: env)
            #expect(gated.status != 0)
            #expect(gated.output.contains("is gated"), "\(gated.output)")
            #expect(gated.output.contains("HF_TOKEN"), "\(gated.output)")
            let bad = try HubPullTests.run([Self.aqyl, "models", "pull", "hf:kazakh/../etc"], environment: env)
            #expect(bad.status != 0)
            #expect(bad.output.contains("invalid hub reference"), "\(bad.output)")
        }
    }
}
