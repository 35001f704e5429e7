import Foundation
import GGUF

/// Hyper-parameters of a decoder, read from `{arch}.*` GGUF keys and validated.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: Architecture
    public var embedding: Int          // n_embd
    public var layers: Int             // n_layer
    public var heads: Int              // n_head
    public var kvHeads: Int            // n_head_kv (GQA)
    public var headDim: Int            // key/value length per head
    public var feedForward: Int        // n_ff
    public var vocabulary: Int
    public var contextLength: Int      // training context
    public var rmsEpsilon: Float
    public var ropeBase: Float
    /// Rope base of sliding-window layers (Gemma 3).
    public var ropeBaseSliding: Float
    /// 1/factor for linear rope scaling (global layers only in Gemma 3).
    public var ropeFrequencyScale: Float
    public var ropeDimensions: Int
    /// Sliding window size; 0 = none.
    public var slidingWindow: Int
    /// Per-layer sliding flags (empty when no sliding window).
    public var slidingLayers: [Bool]
    public var finalLogitSoftcap: Float?
    /// Multiplier on q·k scores.
    public var attentionScale: Float

    public var qDim: Int { heads * headDim }
    public var kvDim: Int { kvHeads * headDim }

    public init(file: GGUFFile) throws {
        guard let archName = file.architecture else { throw ModelError.missingArchitecture }
        guard let arch = Architecture(rawValue: archName) else { throw ModelError.unsupportedArchitecture(archName) }
        architecture = arch
        let p = archName + "."
        func required(_ key: String) throws -> Int {
            guard let v = file.metadata[p + key] else { throw ModelError.invalidConfig("missing \(p + key)") }
            if let i = v.int { return i }
            // Per-layer arrays: the engine needs them uniform.
            if let xs = v.array?.integers, let first = xs.first, xs.allSatisfy({ $0 == first }) { return first }
            throw ModelError.invalidConfig("\(p + key) must be an integer")
        }
        func optional(_ key: String) -> GGUFValue? { file.metadata[p + key] }

        embedding = try required("embedding_length")
        layers = try required("block_count")
        heads = try required("attention.head_count")
        kvHeads = optional("attention.head_count_kv") != nil ? try required("attention.head_count_kv") : heads
        feedForward = try required("feed_forward_length")
        contextLength = try required("context_length")
        guard embedding > 0, layers > 0, heads > 0, kvHeads > 0, feedForward > 0, contextLength > 0 else {
            throw ModelError.invalidConfig("sizes must be positive")
        }
        // A file is untrusted: sizes far beyond any real model are refused before they size a
        // loop or an allocation (a block_count of 2^40 used to spin for minutes, found by fuzzing),
        // and products of them (KV cache bytes, weights) stay far from Int overflow.
        for (name, value, limit) in [("embedding_length", embedding, Self.maxWidth), ("block_count", layers, Self.maxLayers),
                                     ("attention.head_count", heads, Self.maxHeads), ("attention.head_count_kv", kvHeads, Self.maxHeads),
                                     ("feed_forward_length", feedForward, Self.maxWidth), ("context_length", contextLength, Self.maxContext)]
        where value > limit {
            throw ModelError.invalidConfig("\(p)\(name) \(value) is beyond any model this engine runs (at most \(limit))")
        }
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidConfig("head_count \(heads) is not a multiple of head_count_kv \(kvHeads)")
        }
        if optional("attention.key_length") != nil {
            headDim = try required("attention.key_length")
            if optional("attention.value_length") != nil, try required("attention.value_length") != headDim {
                throw ModelError.invalidConfig("key_length != value_length is not supported")
            }
        } else {
            guard embedding % heads == 0 else {
                throw ModelError.invalidConfig("embedding_length \(embedding) is not divisible by head_count \(heads)")
            }
            headDim = embedding / heads
        }
        guard headDim > 0, headDim % 2 == 0, headDim <= Self.maxHeadDim else {
            throw ModelError.invalidConfig("head dimension \(headDim) must be even and at most \(Self.maxHeadDim)")
        }
        guard let eps = optional("attention.layer_norm_rms_epsilon")?.float, eps > 0 else {
            throw ModelError.invalidConfig("missing or invalid \(p)attention.layer_norm_rms_epsilon")
        }
        rmsEpsilon = eps
        ropeBase = optional("rope.freq_base")?.float ?? 10_000
        ropeBaseSliding = optional("rope.freq_base_swa")?.float ?? 10_000
        ropeDimensions = optional("rope.dimension_count")?.int ?? headDim
        guard ropeDimensions > 0, ropeDimensions <= headDim, ropeDimensions % 2 == 0 else {
            throw ModelError.invalidConfig("rope.dimension_count \(ropeDimensions) must be even and ≤ head dim \(headDim)")
        }
        var freqScale: Float = 1
        if let type = optional("rope.scaling.type")?.string, type != "none" {
            guard type == "linear" else { throw ModelError.invalidConfig("rope scaling '\(type)' is not supported") }
            if let factor = optional("rope.scaling.factor")?.float, factor > 0 { freqScale = 1 / factor }
        } else if let factor = optional("rope.scale_linear")?.float, factor > 0 {
            freqScale = 1 / factor
        }
        ropeFrequencyScale = freqScale

        if let tokens = file.metadata["tokenizer.ggml.tokens"]?.array {
            vocabulary = optional("vocab_size")?.int ?? tokens.count
        } else if let v = optional("vocab_size")?.int {
            vocabulary = v
        } else if let embd = file.tensor(named: "token_embd.weight"), embd.dimensions.count == 2 {
            vocabulary = embd.dimensions[1]
        } else {
            throw ModelError.invalidConfig("cannot determine vocabulary size")
        }

        guard vocabulary > 0, vocabulary <= Self.maxVocabulary else {
            throw ModelError.invalidConfig("vocabulary size \(vocabulary) must be positive and at most \(Self.maxVocabulary)")
        }
        let traits = ArchitectureTraits.of(arch)
        if let slides = traits.slidingLayer, let window = optional("attention.sliding_window")?.int, window > 0 {
            slidingWindow = window
            let patternValue = optional("attention.sliding_window_pattern")
            if let flags = patternValue?.array, case let .bool(bs) = flags, !bs.isEmpty {
                slidingLayers = (0..<layers).map { bs[$0 % bs.count] }
            } else {
                let pattern = patternValue?.int ?? 6
                guard (0...Self.maxLayers).contains(pattern) else {
                    throw ModelError.invalidConfig("\(p)attention.sliding_window_pattern \(pattern) must be between 0 and \(Self.maxLayers)")
                }
                slidingLayers = (0..<layers).map { slides($0, pattern) }
            }
        } else {
            slidingWindow = 0
            slidingLayers = []
        }
        if let cap = optional("final_logit_softcapping")?.float, cap > 0 { finalLogitSoftcap = cap } else { finalLogitSoftcap = nil }
        attentionScale = 1 / sqrtf(Float(headDim))
    }

    /// Upper bounds on a file's sizes: several times the largest open models (Llama-3.1-405B has
    /// 126 layers, width 16384, 128 heads, a 128k context; Gemma-3 a 262k vocabulary).
    static let maxLayers = 1024, maxWidth = 1 << 20, maxHeads = 4096, maxHeadDim = 4096
    static let maxContext = 1 << 24, maxVocabulary = 1 << 24

    /// Whether `layer` uses the sliding window.
    public func isSliding(_ layer: Int) -> Bool {
        slidingWindow > 0 && layer < slidingLayers.count && slidingLayers[layer]
    }
}
