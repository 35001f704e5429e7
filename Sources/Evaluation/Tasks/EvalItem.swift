/// One multiple-choice question, scored by the log-likelihood of each choice.
public struct MultipleChoiceItem: Sendable, Equatable {
    public var id: String
    /// Reading passage (Belebele, reading items); nil for plain questions.
    public var passage: String?
    public var question: String
    public var choices: [String]
    /// Index into `choices`.
    public var answer: Int

    public init(id: String, passage: String? = nil, question: String, choices: [String], answer: Int) {
        self.id = id
        self.passage = passage
        self.question = question
        self.choices = choices
        self.answer = answer
    }
}

/// One question answered by generation and compared with reference answers.
public struct GenerativeItem: Sendable, Equatable {
    public var id: String
    public var question: String
    /// Accepted answers; the first is the canonical one chrF is scored against first.
    public var answers: [String]

    public init(id: String, question: String, answers: [String]) {
        self.id = id
        self.question = question
        self.answers = answers
    }
}

/// One text whose likelihood is measured.
public struct PerplexityItem: Sendable, Equatable {
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}
