/// Everything that decides what a number means. Two results are comparable
/// only when their protocols are equal; reports refuse to mix them.
public struct EvalProtocol: Sendable, Equatable, Hashable, Codable {
    public var task: String
    /// multiple_choice, generative, perplexity.
    public var taskType: String
    /// Items scored, and a digest of their content: same name, other items, other task.
    public var items: Int
    public var itemsDigest: String
    public var shots: Int
    public var fewshotSampling: String
    /// loglikelihood, greedy-generation or rolling-loglikelihood, with the window.
    public var scoring: String
    /// How scores are normalized (acc_norm's length unit, exact match's text rules).
    public var normalization: String
    /// Prompt template id (``PromptTemplate``).
    public var template: String

    enum CodingKeys: String, CodingKey {
        case task, items, shots, scoring, normalization, template
        case taskType = "task_type", itemsDigest = "items_digest", fewshotSampling = "fewshot_sampling"
    }

    /// One line for tables and error messages.
    public var summary: String {
        "\(taskType), \(shots)-shot, \(scoring), template \(template), \(items) items #\(itemsDigest.prefix(8))"
    }
}

/// A metric's value with its standard error and how that error was computed.
public struct MetricValue: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
    public var standardError: Double
    /// "binomial" (lm-eval's mean_stderr: sample std / √n) or "bootstrap-1000".
    public var standardErrorMethod: String
    /// Higher is better (accuracy, chrF) or lower is better (perplexity, bits).
    public var higherIsBetter: Bool

    public init(name: String, value: Double, standardError: Double, standardErrorMethod: String, higherIsBetter: Bool) {
        self.name = name
        self.value = value
        self.standardError = standardError
        self.standardErrorMethod = standardErrorMethod
        self.higherIsBetter = higherIsBetter
    }

    enum CodingKeys: String, CodingKey {
        case name, value
        case standardError = "stderr", standardErrorMethod = "stderr_method", higherIsBetter = "higher_is_better"
    }

    /// 95% normal interval.
    public var interval: (low: Double, high: Double) { (value - 1.96 * standardError, value + 1.96 * standardError) }
}

/// One item's outcome, kept for audit (`--samples`).
public struct SampleRecord: Sendable, Equatable, Codable {
    public var id: String
    /// The chosen choice index or the generated text.
    public var prediction: String
    public var correct: Bool?
    /// Per-choice log-likelihoods (multiple choice) or the text's NLL (perplexity).
    public var scores: [Double]

    public init(id: String, prediction: String, correct: Bool?, scores: [Double]) {
        self.id = id
        self.prediction = prediction
        self.correct = correct
        self.scores = scores
    }
}

/// All metrics of one task under one protocol.
public struct TaskResult: Sendable, Equatable, Codable {
    public var evalProtocol: EvalProtocol
    public var metrics: [MetricValue]
    public var samples: [SampleRecord]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case evalProtocol = "protocol"
        case metrics, samples, seconds
    }
}

/// Every task run on one model.
public struct EvalReport: Sendable, Equatable, Codable {
    public var tool: String
    public var created: String
    public var model: ModelIdentity
    public var results: [TaskResult]
    /// Skipped task lines, as `file:line: reason`.
    public var warnings: [String]

    public init(tool: String, created: String, model: ModelIdentity, results: [TaskResult], warnings: [String]) {
        self.tool = tool
        self.created = created
        self.model = model
        self.results = results
        self.warnings = warnings
    }
}
