import Evaluation
import Foundation

/// A model whose numbers are computed on paper: one token per Unicode scalar,
/// BOS = 1, and every token has log-probability −1 (so a log-likelihood is
/// minus the token count), except a `bonus` scalar which costs −0.25.
final class FakeBackend: ScoringBackend, @unchecked Sendable {
    let identity = ModelIdentity(label: "fake", location: "local", model: "fake.gguf")
    let contextLength: Int
    let prefixToken: Int32 = 1
    let answers: [String: String]
    var bonus: Int32?
    /// (tokens, from) of each score call.
    private(set) var calls: [(tokens: [Int32], from: Int)] = []

    init(contextLength: Int = 64, answers: [String: String] = [:]) {
        self.contextLength = contextLength
        self.answers = answers
    }

    func tokenize(_ text: String, addSpecial: Bool) async throws -> [Int32] {
        (addSpecial ? [1] : []) + text.unicodeScalars.map { Int32($0.value) }
    }

    func score(_ tokens: [Int32], from: Int) async throws -> TokenScores {
        precondition(tokens.count - 1 <= contextLength, "window larger than the context")
        calls.append((tokens, from))
        let lps = tokens[from...].map { $0 == bonus ? -0.25 : -1.0 }
        return TokenScores(logprobs: lps, greedy: lps.map { $0 > -0.5 })
    }

    func generate(_ prompt: String, maxTokens: Int, stop: [String]) async throws -> String {
        for (key, answer) in answers where prompt.hasSuffix("Сұрақ: \(key)\nЖауап:") { return " " + answer }
        return " білмеймін"
    }
}
