/// A named set of items of one type, with the prompt template it is run with.
public struct EvalTask: Sendable, Equatable {
    public enum Items: Sendable, Equatable {
        case multipleChoice([MultipleChoiceItem])
        case generative([GenerativeItem], primary: GenerativeMetric)
        case perplexity([PerplexityItem])
    }

    public var name: String
    public var items: Items
    public var template: PromptTemplate
    /// Where the items came from (path and layout), for the report.
    public var source: String

    public init(name: String, items: Items, template: PromptTemplate, source: String) {
        self.name = name
        self.items = items
        self.template = template
        self.source = source
    }

    public var count: Int {
        switch items {
        case let .multipleChoice(i): return i.count
        case let .generative(i, _): return i.count
        case let .perplexity(i): return i.count
        }
    }

    public var kind: String {
        switch items {
        case .multipleChoice: return "multiple_choice"
        case .generative: return "generative"
        case .perplexity: return "perplexity"
        }
    }

    /// The first `limit` items (lm-eval's `--limit`).
    public func limited(to limit: Int?) -> EvalTask {
        guard let limit, limit < count else { return self }
        var copy = self
        switch items {
        case let .multipleChoice(i): copy.items = .multipleChoice(Array(i.prefix(limit)))
        case let .generative(i, p): copy.items = .generative(Array(i.prefix(limit)), primary: p)
        case let .perplexity(i): copy.items = .perplexity(Array(i.prefix(limit)))
        }
        return copy
    }
}

/// Which generative metric a task reports first.
public enum GenerativeMetric: String, Sendable, Equatable, Codable {
    case exactMatch = "exact_match"
    case chrF = "chrf"
    case chrFPlusPlus = "chrf++"
}
