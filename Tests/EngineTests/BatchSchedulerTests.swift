import Foundation
import GGUF
import Kernels
import Models
import Testing
import Tokenizers
@testable import Engine
import TestSupport

@Suite struct BatchSchedulerTests {
    /// Row-independent numerics: vec_dot kernels compute every row alone and
    /// exact attention has no batch-dependent lane order, so a sequence's
    /// tokens must not depend on what else shares the batch.
    static func model() throws -> (Transformer, any Tokenizer) {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        b.context = 128
        let file = try GGUFFile(bytes: try b.build().encode())
        let model = try Transformer(file: file, kernels: .vecDot, numerics: .exact)
        return (model, try TokenizerFactory.load(from: file))
    }

    static func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws
        -> (text: String, result: GenerationResult?, prompt: [TokenLogprob?]?, logprobs: [TokenLogprob])
    {
        var text = "", result: GenerationResult?, prompt: [TokenLogprob?]?, logprobs: [TokenLogprob] = []
        for try await event in stream {
            switch event {
            case let .text(t): text += t
            case let .finished(r): result = r
            case let .promptLogprobs(p): prompt = p
            case let .tokenLogprob(l): logprobs.append(l)
            }
        }
        return (text, result, prompt, logprobs)
    }

    @Test func concurrentSequencesMatchSoloRuns() async throws {
        let (model, tok) = try Self.model()
        let prompts = ["Сәлем, әлем", "Hello there, general", "Привет", "abc abc abc abc abc abc abc abc abc abc"]
            .map { tok.encode($0, addSpecial: true, parseSpecial: false) }
        let solo = TextGenerator(model: model, tokenizer: tok, pool: ThreadPool(threads: 2), contextLength: 96)
        var expected: [[Int32]] = []
        for p in prompts { expected.append(try solo.generate(prompt: p, maxTokens: 20, sampling: .greedy).tokens) }

        // Fewer slots than requests: one waits in the queue and joins mid-flight;
        // a tiny prefill chunk splits prompts across steps shared with decodes.
        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 2,
                                       configuration: .init(slots: 3, queueLimit: 8, contextLength: 96, prefillChunk: 5))
        defer { scheduler.shutdown() }
        let streams = try prompts.map { try scheduler.submit(GenerationRequest(prompt: $0, maxTokens: 20, sampling: .greedy)) }
        for (i, stream) in streams.enumerated() {
            let out = try await Self.collect(stream)
            let result = try #require(out.result)
            #expect(result.tokens == expected[i], "prompt \(i)")
            #expect(out.text == result.text)
        }
    }

    @Test func promptLogprobsEqualTheForwardPassLogSoftmax() async throws {
        let (model, tok) = try Self.model()
        let prompt = tok.encode("Қазақ тілі", addSpecial: true, parseSpecial: false)
        let cache = model.makeCache(capacity: 64)
        let all = try model.forward(prompt, cache: cache, pool: ThreadPool(threads: 1), logits: .all)
        let vocab = model.config.vocabulary

        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 1,
                                       configuration: .init(slots: 2, contextLength: 64, prefillChunk: 4))
        defer { scheduler.shutdown() }
        let out = try await Self.collect(try scheduler.submit(
            GenerationRequest(prompt: prompt, maxTokens: 1, sampling: .greedy, logprobs: 3, promptLogprobs: 3)))
        let entries = try #require(out.prompt)
        #expect(entries.count == prompt.count)
        #expect(entries[0] == nil)
        for i in 1..<prompt.count {
            let row = Array(all[(i - 1) * vocab..<i * vocab])
            let m = row.max() ?? 0
            let logZ = log(row.reduce(0.0) { $0 + exp(Double($1 - m)) }) + Double(m)
            let entry = try #require(entries[i])
            #expect(entry.token == prompt[i])
            #expect(abs(Double(entry.logprob) - (Double(row[Int(prompt[i])]) - logZ)) < 1e-4)
            #expect(entry.top.count == 3)
            #expect(entry.top[0].token == Int32(row.firstIndex(of: m) ?? -1))
            #expect(entry.top[0].logprob >= entry.top[1].logprob)
        }
        // One generated token, with its logprob, the greedy choice.
        #expect(out.logprobs.count == 1)
        #expect(out.logprobs.first?.token == out.logprobs.first?.top.first?.token)
    }

    @Test func scoringOnlyGeneratesNothing() async throws {
        let (model, tok) = try Self.model()
        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 1, configuration: .init(slots: 1, contextLength: 32))
        defer { scheduler.shutdown() }
        let out = try await Self.collect(try scheduler.submit(GenerationRequest(prompt: [65, 66, 67], maxTokens: 0, promptLogprobs: 0)))
        #expect(out.result?.tokens == [])
        #expect(out.prompt?.count == 3)
    }

    @Test func refusesPastTheQueueAndBadPrompts() async throws {
        let (model, tok) = try Self.model()
        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 1,
                                       configuration: .init(slots: 1, queueLimit: 1, contextLength: 32))
        defer { scheduler.shutdown() }
        #expect(throws: SchedulerError.emptyPrompt) { try scheduler.submit(GenerationRequest(prompt: [], maxTokens: 1)) }
        #expect(throws: SchedulerError.promptTooLong(tokens: 32, context: 32)) {
            try scheduler.submit(GenerationRequest(prompt: [Int32](repeating: 65, count: 32), maxTokens: 1))
        }
        #expect(throws: SchedulerError.tokenOutOfVocabulary(999_999, vocabulary: model.config.vocabulary)) {
            try scheduler.submit(GenerationRequest(prompt: [999_999], maxTokens: 1))
        }
        // Fill the slot and the queue with long generations, then one more is refused.
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        var refused = false
        for _ in 0..<6 {
            do {
                streams.append(try scheduler.submit(GenerationRequest(prompt: [65], maxTokens: 30)))
            } catch {
                #expect(error == .queueFull(limit: 1))
                refused = true
            }
        }
        #expect(refused)
        streams.removeAll()  // dropping the streams cancels them
    }

    @Test func droppingTheStreamCancelsAndFreesTheSlot() async throws {
        let (model, tok) = try Self.model()
        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 1, configuration: .init(slots: 1, contextLength: 128))
        defer { scheduler.shutdown() }
        var params = SamplingParameters()
        params.seed = 3
        params.temperature = 1
        do {
            let stream = try scheduler.submit(GenerationRequest(prompt: [65, 66], maxTokens: 120, sampling: params))
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
        }  // the stream and its iterator are gone here
        // The single slot must come free for the next request.
        let out = try await Self.collect(try scheduler.submit(GenerationRequest(prompt: [65], maxTokens: 2, sampling: .greedy)))
        #expect(out.result != nil)
        #expect(scheduler.load.active <= 1)
    }
}
