/// One libFuzzer harness: a parser of untrusted input fed arbitrary bytes.
///
/// A harness never throws for bad input (rejecting it is the parser's job and the
/// expected outcome); it traps only when a property the parser promises is broken
/// (an accepted input that does not round-trip, a token id out of range). Under
/// libFuzzer (scripts/fuzz.sh) a trap, an address-sanitizer report, a leak or a
/// timeout is a finding; the replay test runs every committed seed the same way.
public struct FuzzTarget: Sendable {
    /// The name `scripts/fuzz.sh` takes, also the seed folder under `Tests/Fuzz/`.
    public let name: String
    /// What the harness feeds the bytes to.
    public let summary: String
    /// Builds the harness once (a vocabulary to load, a key to make); the returned
    /// closure then runs for every input.
    public let prepare: @Sendable () throws -> @Sendable ([UInt8]) -> Void

    public init(name: String, summary: String, prepare: @escaping @Sendable () throws -> @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.prepare = prepare
    }
}

/// Why a harness cannot be built here.
public struct FuzzSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Every harness, in the order `scripts/fuzz.sh --list` prints them.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        GGUFHarness.target,
        TokenizerHarness.target(name: "tokenizer-llama3", vocabulary: .fixture("llama3-tiny/llama3-tiny.gguf")),
        TokenizerHarness.target(name: "tokenizer-smollm2", vocabulary: .catalogModel("smollm2-135m")),
        TokenizerHarness.target(name: "tokenizer-qwen2", vocabulary: .catalogModel("qwen2.5-coder-0.5b")),
        TokenizerHarness.target(name: "tokenizer-gemma3", vocabulary: .catalogModel("gemma3-270m")),
        TemplateHarness.target,
        OpenAIRequestHarness.target,
        JSONPrefixHarness.target,
        SafetensorsHarness.target,
        PEFTAdapterHarness.target,
        WikiMarkupHarness.target,
        MediaWikiDumpHarness.target,
        CorpusJSONLHarness.target,
        TrainingDataHarness.target,
        RecordLogHarness.target,
        SignedNoteHarness.target,
        CheckpointHarness.target,
        HubHarness.target,
        JSONSchemaHarness.target,
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
