import GGUF
import Models
import Testing
import TestSupport

/// Every way `ModelConfig` refuses a file's hyperparameters is a typed
/// `ModelError` naming the key, never a trap or a silently wrong model.
@Suite struct ModelConfigErrorTests {
    /// A tiny llama file with one change to its metadata.
    private func config(_ change: (inout GGUFWriter) -> Void, builder: TinyModelBuilder = TinyModelBuilder()) throws -> ModelConfig {
        var w = try builder.build()
        change(&w)
        return try ModelConfig(file: try GGUFFile(bytes: try w.encode()))
    }

    private func expectInvalid(_ fragment: String, builder: TinyModelBuilder = TinyModelBuilder(),
                               _ change: (inout GGUFWriter) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try config(change, builder: builder)
            Issue.record("accepted a file that should fail with '\(fragment)'", sourceLocation: sourceLocation)
        } catch let ModelError.invalidConfig(message) {
            #expect(message.contains(fragment), "\(message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func theUnchangedFileIsAccepted() throws {
        let c = try config { _ in }
        #expect(c.embedding == 64 && c.heads == 4 && c.kvHeads == 2 && c.headDim == 16)
    }

    @Test func missingArchitecture() {
        #expect(throws: ModelError.missingArchitecture) { try config { $0.remove("general.architecture") } }
    }

    @Test func missingOrMistypedSizes() {
        expectInvalid("missing llama.block_count") { $0.remove("llama.block_count") }
        expectInvalid("llama.embedding_length must be an integer") { $0.set("llama.embedding_length", .string("64")) }
        // Per-layer arrays must be uniform.
        expectInvalid("llama.feed_forward_length must be an integer") {
            $0.set("llama.feed_forward_length", .array(.int32([96, 128])))
        }
        expectInvalid("sizes must be positive") { $0.set("llama.embedding_length", .uint32(0)) }
        expectInvalid("sizes must be positive") { $0.set("llama.context_length", .int32(-1)) }
    }

    /// Found by the gguf fuzz target: a block_count of 2^40 sized a per-layer loop and spun.
    @Test func sizesBeyondAnyModelAreRefused() {
        expectInvalid("llama.block_count 1099511627776 is beyond any model") { $0.set("llama.block_count", .uint64(1 << 40)) }
        expectInvalid("llama.context_length 9223372036854775807 is beyond") { $0.set("llama.context_length", .int64(.max)) }
        expectInvalid("llama.embedding_length 2097152 is beyond") { $0.set("llama.embedding_length", .uint32(1 << 21)) }
        expectInvalid("vocabulary size 4294967295 must be positive and at most") { $0.set("llama.vocab_size", .uint32(.max)) }
    }

    @Test func uniformPerLayerArraysAreAccepted() throws {
        let c = try config { $0.set("llama.feed_forward_length", .array(.int32([96, 96]))) }
        #expect(c.feedForward == 96)
    }

    @Test func headGeometry() {
        expectInvalid("head_count 4 is not a multiple of head_count_kv 3") { $0.set("llama.attention.head_count_kv", .uint32(3)) }
        expectInvalid("key_length != value_length") {
            $0.set("llama.attention.key_length", .uint32(16))
            $0.set("llama.attention.value_length", .uint32(8))
        }
        var five = TinyModelBuilder()
        five.heads = 5
        five.kvHeads = 5
        expectInvalid("embedding_length 64 is not divisible by head_count 5", builder: five) { $0.remove("llama.attention.key_length") }
        expectInvalid("head dimension 7 must be even") {
            $0.set("llama.attention.key_length", .uint32(7))
            $0.remove("llama.attention.value_length")
        }
    }

    @Test func normAndRope() {
        expectInvalid("layer_norm_rms_epsilon") { $0.remove("llama.attention.layer_norm_rms_epsilon") }
        expectInvalid("layer_norm_rms_epsilon") { $0.set("llama.attention.layer_norm_rms_epsilon", .float32(0)) }
        expectInvalid("rope.dimension_count 17") { $0.set("llama.rope.dimension_count", .uint32(17)) }
        expectInvalid("rope.dimension_count 32") { $0.set("llama.rope.dimension_count", .uint32(32)) }
        expectInvalid("rope scaling 'yarn' is not supported") { $0.set("llama.rope.scaling.type", .string("yarn")) }
    }

    @Test func vocabulary() {
        expectInvalid("vocabulary size 0 must be positive") { $0.set("llama.vocab_size", .uint32(0)) }
    }
}
