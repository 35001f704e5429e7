import Foundation
import GGUF
import Testing
import TestSupport

/// Split models (`NAME-0000k-of-0000N.gguf`), opened from the first part as llama.cpp does.
@Suite struct GGUFSplitTests {
    func tinySplit(_ parts: Int) throws -> (whole: String, prefix: String) {
        let dir = TempPaths.directory("split")
        let whole = dir + "/tiny.gguf"
        try TinyModelBuilder().build().write(to: whole)
        try GGUFSplitWriter.split(whole, into: parts, prefix: dir + "/tiny")
        return (whole, dir + "/tiny")
    }

    @Test func thePartsReadAsOneFile() throws {
        let (whole, prefix) = try tinySplit(3)
        let split = try GGUFFile(path: prefix + GGUFFile.splitSuffix(1, of: 3))
        let one = try GGUFFile(path: whole)
        #expect(split.partPaths.count == 3)
        #expect(split.tensors.map(\.name) == one.tensors.map(\.name))
        #expect(Set(split.tensors.map(\.part)) == [0, 1, 2])
        #expect(split.architecture == one.architecture)
        for info in one.tensors {
            let other = try #require(split.tensor(named: info.name))
            #expect(Array(split.tensorData(other)) == Array(one.tensorData(info)))
        }
    }

    @Test func aMissingPartIsNamed() throws {
        let (_, prefix) = try tinySplit(2)
        try FileManager.default.removeItem(atPath: prefix + GGUFFile.splitSuffix(2, of: 2))
        #expect {
            try GGUFFile(path: prefix + GGUFFile.splitSuffix(1, of: 2))
        } throws: { error in
            "\(error)".contains("part 2 of 2 is missing")
        }
    }

    @Test func aLaterPartOrAWrongNameIsRefused() throws {
        let (_, prefix) = try tinySplit(2)
        #expect {
            try GGUFFile(path: prefix + GGUFFile.splitSuffix(2, of: 2))
        } throws: { error in
            "\(error)".contains("open the first part")
        }
        let renamed = prefix + "-renamed.gguf"
        try FileManager.default.copyItem(atPath: prefix + GGUFFile.splitSuffix(1, of: 2), toPath: renamed)
        #expect(throws: GGUFError.self) { try GGUFFile(path: renamed) }
    }

    @Test func partsThatDoNotBelongTogetherAreRefused() throws {
        let (_, prefix) = try tinySplit(2)
        let (_, other) = try tinySplit(3)
        // Part 2 of another split put in place of ours.
        try FileManager.default.removeItem(atPath: prefix + GGUFFile.splitSuffix(2, of: 2))
        try FileManager.default.copyItem(atPath: other + GGUFFile.splitSuffix(3, of: 3), toPath: prefix + GGUFFile.splitSuffix(2, of: 2))
        #expect(throws: GGUFError.self) { try GGUFFile(path: prefix + GGUFFile.splitSuffix(1, of: 2)) }
    }
}

/// A split made by llama.cpp's own `llama-gguf-split` (scripts/make_split_fixtures.sh).
@Suite struct GGUFSplitPeerTests {
    @Test func llamaCppsSplitReadsAsTheWholeFile() throws {
        let whole = try GGUFFile(path: FixturePaths.fixture("peft/tiny-llama.gguf").path)
        let split = try GGUFFile(path: FixturePaths.fixture("split/tiny-llama-00001-of-00003.gguf").path)
        #expect(split.partPaths.count == 3)
        #expect(split.metadata["split.count"]?.int == 3)
        for key in whole.metadataKeys {
            #expect(split.metadata[key] == whole.metadata[key], "\(key)")
        }
        #expect(split.tensors.map(\.name) == whole.tensors.map(\.name))
        #expect(Set(split.tensors.map(\.part)) == [0, 1, 2])
        for info in whole.tensors {
            let other = try #require(split.tensor(named: info.name))
            #expect(other.dimensions == info.dimensions && other.type == info.type)
            #expect(Array(split.tensorData(other)) == Array(whole.tensorData(info)), "\(info.name)")
        }
    }
}
