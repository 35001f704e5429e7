import Foundation
import FuzzTargets
import Testing

/// Every fuzz target has committed seeds, and every seed (and every finding kept as a
/// regression input) goes through its harness without a failure in the ordinary build.
/// scripts/fuzz.sh does the fuzzing itself; this keeps what it found fixed.
@Suite struct FuzzCorpusTests {
    static var corpusRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Fuzz")
    }

    @Test func targetNamesAreUniqueAndEachHasSeeds() throws {
        let names = FuzzTargets.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            let seeds = (try? FileManager.default.contentsOfDirectory(atPath: Self.corpusRoot.appendingPathComponent(name).path)) ?? []
            #expect(!seeds.isEmpty, "no seeds for \(name) in Tests/Fuzz/\(name)")
        }
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func seedsReplayCleanly(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let harness = try target.prepare()
        let folder = Self.corpusRoot.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        for file in files {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
            harness(Array(bytes))
        }
    }
}
