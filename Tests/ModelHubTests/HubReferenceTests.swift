import Testing
@testable import ModelHub

@Suite struct HubReferenceTests {
    @Test func spellings() throws {
        let quant = try HubReference.parse("hf:issai/LLama-3.1-KazLLM-1.0-8B-GGUF4:Q4_K_M")
        #expect(quant.repo == "issai/LLama-3.1-KazLLM-1.0-8B-GGUF4")
        #expect(quant.selector == .quant("Q4_K_M"))
        #expect(quant.revision == "main")
        let file = try HubReference.parse("hf:org/repo/sub/dir/model-Q8_0.gguf")
        #expect(file.selector == .file("sub/dir/model-Q8_0.gguf"))
        let plain = try HubReference.parse("hf:org/repo")
        #expect(plain.selector == .automatic)
        let pinned = try HubReference.parse("hf:org/repo@v1.0:q8_0")
        #expect(pinned.revision == "v1.0")
        #expect(pinned.selector == .quant("q8_0"))
        #expect(pinned.description == "hf:org/repo@v1.0:q8_0")
    }

    @Test(arguments: [
        "hf:", "hf:org", "hf:/repo", "hf:org/", "hf:or g/repo", "hf:org/re--po", "hf:org/..", "hf:org/repo.git",
        "hf:org/repo/../x.gguf", "hf:org/repo//x.gguf", "hf:org/repo/x.bin", "hf:org/repo:", "hf:org/repo:Q4/K",
        "hf:org/repo@:Q4_K_M", "hf:org/repo@a..b", "hf:org/repo/a\\b.gguf", "hf:-org/repo",
        "hf:org/repo/x\u{0}.gguf",
    ])
    func malformedReferencesAreRefused(_ text: String) {
        #expect(throws: HubError.self) { try HubReference.parse(text) }
    }

    @Test func longNamesAreRefused() {
        #expect(throws: HubError.self) { try HubReference.parse("hf:org/" + String(repeating: "a", count: 97)) }
    }
}

@Suite struct HubFileSelectionTests {
    static let files = [
        "README.md", "config.json",
        "model-Q4_K_M.gguf", "model-Q4_K_S.gguf", "model-Q8_0.gguf", "model-q4_0.gguf", "mmproj-model-Q4_K_M.gguf",
        "big/model-Q6_K-00001-of-00003.gguf", "big/model-Q6_K-00002-of-00003.gguf", "big/model-Q6_K-00003-of-00003.gguf",
        "broken-Q5_K_M-00001-of-00002.gguf",
    ]

    func select(_ ref: String) throws -> [String] {
        try HubFileSelection.select(try HubReference.parse(ref), files: Self.files)
    }

    @Test func quantTagsPickTheirFile() throws {
        #expect(try select("hf:o/r:Q4_K_M") == ["model-Q4_K_M.gguf"])  // not the mmproj file
        #expect(try select("hf:o/r:q4_k_s") == ["model-Q4_K_S.gguf"])
        #expect(try select("hf:o/r:Q4_0") == ["model-q4_0.gguf"])
        #expect(try select("hf:o/r") == ["model-Q4_K_M.gguf"])
    }

    @Test func aPartialTagDoesNotMatchALongerOne() throws {
        #expect(throws: HubError.self) { try select("hf:o/r:Q4_K") }
        #expect(!HubFileSelection.hasTag("Q4_0", in: "m-Q4_0_4_4.gguf"))
        #expect(HubFileSelection.hasTag("Q4_0_4_4", in: "m-Q4_0_4_4.gguf"))
        #expect(!HubFileSelection.hasTag("F16", in: "m-BF16.gguf"))
    }

    @Test func splitsComeWhole() throws {
        let parts = try select("hf:o/r:Q6_K")
        #expect(parts == (1...3).map { "big/model-Q6_K-0000\($0)-of-00003.gguf" })
        #expect(try select("hf:o/r/big/model-Q6_K-00002-of-00003.gguf") == parts)
        #expect {
            try select("hf:o/r:Q5_K_M")
        } throws: { error in
            guard case let HubError.incompleteSplit(_, _, missing) = error else { return false }
            return missing == ["broken-Q5_K_M-00002-of-00002.gguf"]
        }
    }

    @Test func aMissingQuantListsTheAvailableOnes() throws {
        #expect {
            try select("hf:o/r:IQ2_XS")
        } throws: { error in
            guard case let HubError.quantNotFound(_, quant, available) = error else { return false }
            return quant == "IQ2_XS" && available == ["Q6_K", "Q5_K_M", "Q4_K_M", "Q4_K_S", "Q8_0", "Q4_0"]
        }
        #expect(throws: HubError.self) { try HubFileSelection.select(try HubReference.parse("hf:o/r"), files: ["README.md"]) }
        #expect(throws: HubError.self) { try select("hf:o/r/none.gguf") }
    }

    @Test func progressLine() {
        #expect(HubProgressLine.render(file: "a/b.gguf", done: 1_230_000_000, total: 4_920_000_000, bytesPerSecond: 45_600_000)
            == "b.gguf  1.23 GB/4.92 GB (25%)  46 MB/s  ETA 1:21")
        #expect(HubProgressLine.clock(3725) == "1:02:05")
    }
}
