import Foundation

/// Runs tasks on one backend and turns the outcomes into protocol-stamped metrics.
public struct TaskRunner: Sendable {
    public let backend: any ScoringBackend
    public var shots: Int
    /// Tokens a generative answer may take.
    public var maxAnswerTokens: Int
    /// Progress lines (item counts), e.g. to stderr.
    public var progress: (@Sendable (String) -> Void)?

    public init(backend: any ScoringBackend, shots: Int = 0, maxAnswerTokens: Int = 64,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.backend = backend
        self.shots = shots
        self.maxAnswerTokens = maxAnswerTokens
        self.progress = progress
    }

    static let accNormRule = "acc_norm: loglik / len(choice) in Unicode scalars (lm-eval)"
    static let exactRule = "exact_match: NFC, lowercase, trimmed, outer punctuation and quotes stripped, spaces collapsed"

    public func run(_ task: EvalTask) async throws -> TaskResult {
        // No items, no number: a mean over nothing would print NaN as if it were a score.
        guard task.count > 0 else { throw EvaluationError.emptyTask(task.source) }
        let started = Date()
        var result: TaskResult
        switch task.items {
        case let .multipleChoice(items): result = try await multipleChoice(task, items)
        case let .generative(items, primary): result = try await generative(task, items, primary: primary)
        case let .perplexity(items): result = try await perplexity(task, items)
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    func stamp(_ task: EvalTask, scoring: String, normalization: String, shots: Int) -> EvalProtocol {
        EvalProtocol(task: task.name, taskType: task.kind, items: task.count, itemsDigest: ItemsDigest.of(task), shots: shots,
                     fewshotSampling: shots > 0 ? FewShotSampler.protocolName : "none", scoring: scoring,
                     normalization: normalization, template: task.template.rawValue)
    }

    func multipleChoice(_ task: EvalTask, _ items: [MultipleChoiceItem]) async throws -> TaskResult {
        let scorer = LoglikelihoodScorer(backend: backend)
        var acc: [Double] = [], accNorm: [Double] = []
        var samples: [SampleRecord] = []
        for (index, item) in items.enumerated() {
            let context = task.template.fewShotContext(item, shots: FewShotSampler.shots(for: index, in: items, count: shots))
            let choices = task.template.choiceStrings(item)
            var lls: [Double] = []
            for choice in choices {
                lls.append(try await scorer.loglikelihood(context: context, continuation: PromptTemplate.targetDelimiter + choice).logprob)
            }
            let hit = MultipleChoiceScore.acc(logLikelihoods: lls, gold: item.answer)
            acc.append(hit ? 1 : 0)
            accNorm.append(MultipleChoiceScore.accNorm(logLikelihoods: lls, choices: choices, gold: item.answer) ? 1 : 0)
            let best = lls.indices.max { lls[$0] < lls[$1] } ?? 0
            samples.append(SampleRecord(id: item.id, prediction: String(best), correct: hit, scores: lls))
            if (index + 1) % 10 == 0 { progress?("\(task.name): \(index + 1)/\(items.count)") }
        }
        let metrics = [
            MetricValue(name: "acc", value: StandardError.mean(acc), standardError: StandardError.meanStandardError(acc),
                        standardErrorMethod: "binomial", higherIsBetter: true),
            MetricValue(name: "acc_norm", value: StandardError.mean(accNorm), standardError: StandardError.meanStandardError(accNorm),
                        standardErrorMethod: "binomial", higherIsBetter: true),
        ]
        return TaskResult(evalProtocol: stamp(task, scoring: "loglikelihood (context tokens + continuation tokens, lm-eval split)",
                                              normalization: Self.accNormRule, shots: shots),
                          metrics: metrics, samples: samples, seconds: 0)
    }

    func generative(_ task: EvalTask, _ items: [GenerativeItem], primary: GenerativeMetric) async throws -> TaskResult {
        var exact: [Double] = []
        var chrStats: [ChrFStatistics] = [], chrPlusStats: [ChrFStatistics] = []
        var samples: [SampleRecord] = []
        for (index, item) in items.enumerated() {
            let prompt = task.template.fewShotContext(item, shots: FewShotSampler.shots(for: index, in: items, count: shots))
            let raw = try await backend.generate(prompt, maxTokens: maxAnswerTokens, stop: ["\n"])
            let answer = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let hit = AnswerNormalizer.exactMatch(prediction: answer, answers: item.answers)
            exact.append(hit ? 1 : 0)
            chrStats.append(ChrF.chrF.statistics(hypothesis: answer, references: item.answers))
            chrPlusStats.append(ChrF.chrFPlusPlus.statistics(hypothesis: answer, references: item.answers))
            samples.append(SampleRecord(id: item.id, prediction: answer, correct: hit, scores: []))
            if (index + 1) % 10 == 0 { progress?("\(task.name): \(index + 1)/\(items.count)") }
        }
        func corpus(_ metric: ChrF, _ stats: [ChrFStatistics]) -> MetricValue {
            let value = metric.score(stats.reduce(ChrFStatistics(orders: metric.orders), +))
            let se = StandardError.bootstrap(count: stats.count) { picks in
                metric.score(picks.reduce(ChrFStatistics(orders: metric.orders)) { $0 + stats[$1] })
            }
            return MetricValue(name: metric.wordOrder > 0 ? "chrf++" : "chrf", value: value, standardError: se,
                               standardErrorMethod: "bootstrap-1000", higherIsBetter: true)
        }
        var metrics = [
            MetricValue(name: "exact_match", value: StandardError.mean(exact), standardError: StandardError.meanStandardError(exact),
                        standardErrorMethod: "binomial", higherIsBetter: true),
            corpus(ChrF.chrF, chrStats), corpus(ChrF.chrFPlusPlus, chrPlusStats),
        ]
        if let i = metrics.firstIndex(where: { $0.name == primary.rawValue }) { metrics.insert(metrics.remove(at: i), at: 0) }
        return TaskResult(evalProtocol: stamp(task, scoring: "greedy generation until newline, max \(maxAnswerTokens) tokens",
                                              normalization: Self.exactRule + "; chrF/chrF++: sacrebleu defaults (corpus-level)",
                                              shots: shots),
                          metrics: metrics, samples: samples, seconds: 0)
    }

    func perplexity(_ task: EvalTask, _ items: [PerplexityItem]) async throws -> TaskResult {
        let evaluator = PerplexityEvaluator(backend: backend)
        var results: [PerplexityResult] = []
        var samples: [SampleRecord] = []
        for item in items {
            let r = try await evaluator.rolling(item.text)
            results.append(r)
            samples.append(SampleRecord(id: item.id, prediction: "", correct: nil, scores: [r.negativeLogLikelihood]))
        }
        // Ratios of sums (a long text weighs more), errors by resampling texts.
        func ratio(_ picks: [Int], _ f: (PerplexityResult) -> Double, _ g: (PerplexityResult) -> Double) -> Double {
            picks.reduce(0.0) { $0 + f(results[$1]) } / max(picks.reduce(0.0) { $0 + g(results[$1]) }, 1)
        }
        let all = Array(results.indices)
        func metric(_ name: String, _ transform: @escaping (Double) -> Double, _ f: @escaping (PerplexityResult) -> Double,
                    _ g: @escaping (PerplexityResult) -> Double, higher: Bool = false) -> MetricValue {
            let value = transform(ratio(all, f, g))
            let se = StandardError.bootstrap(count: results.count) { transform(ratio($0, f, g)) }
            return MetricValue(name: name, value: value, standardError: se, standardErrorMethod: "bootstrap-1000", higherIsBetter: higher)
        }
        let ln2 = log(2.0)
        let metrics = [
            metric("bits_per_byte", { $0 / ln2 }, { $0.negativeLogLikelihood }, { Double($0.scoredText.bytes) }),
            metric("bits_per_char", { $0 / ln2 }, { $0.negativeLogLikelihood }, { Double($0.scoredText.characters) }),
            metric("word_perplexity", { exp($0) }, { $0.negativeLogLikelihood }, { Double($0.scoredText.words) }),
            metric("token_perplexity", { exp($0) }, { $0.negativeLogLikelihood }, { Double($0.scoredTokens) }),
            metric("tokens_per_word", { $0 }, { Double($0.textTokens) }, { Double($0.text.words) }),
        ]
        return TaskResult(evalProtocol: stamp(task, scoring: "rolling loglikelihood, window \(backend.contextLength), prefix BOS",
                                              normalization: "bytes: UTF-8; chars: Unicode scalars; words: whitespace split",
                                              shots: 0),
                          metrics: metrics, samples: samples, seconds: 0)
    }
}
