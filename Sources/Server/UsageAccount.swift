import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Records one request's usage event exactly once, whichever way it ends
/// (finished, failed, cancelled by a disconnect).
final class UsageAccount: Sendable {
    /// The web chat's conversation id, so conversations can be counted.
    static let conversationHeader = HTTPField.Name("X-Aqyl-Conversation")!
    /// Sent by the web page's script ("web-chat"); its absence marks no-JS clients.
    static let clientHeader = HTTPField.Name("X-Aqyl-Client")!

    private let recorder: UsageRecorder?
    private let request: Mutex<UsageRecorder.Request?>

    init(recorder: UsageRecorder?, caller: Caller, model: String, promptTokens: Int, conversation: String?, fromWebScript: Bool) {
        self.recorder = recorder
        request = Mutex(UsageRecorder.Request(caller: caller, model: model, conversation: conversation.map { String($0.prefix(128)) },
                                              promptTokens: promptTokens, completionTokens: 0, responded: false,
                                              fromWebScript: fromWebScript))
    }

    /// A forwarded request learns its prompt's size from the upstream's answer.
    func setPromptTokens(_ n: Int) {
        request.withLock { $0?.promptTokens = n }
    }

    /// A generation's end: a result counts as a response if the model produced anything or finished normally.
    func finish(_ result: GenerationResult?) async {
        let responded = result.map { !$0.tokens.isEmpty || $0.finishReason != .cancelled } ?? false
        await finish(completionTokens: result?.tokens.count ?? 0, responded: responded)
    }

    /// For paths that cannot wait (a stream cut off by its client): records in the background.
    /// A no-op when the request was already recorded.
    func finishLater(completionTokens: Int, responded: Bool) {
        Task { await finish(completionTokens: completionTokens, responded: responded) }
    }

    func finishLater(_ result: GenerationResult?) {
        Task { await finish(result) }
    }

    func finish(completionTokens: Int, responded: Bool) async {
        guard let recorder, let r = request.withLock({ r -> UsageRecorder.Request? in
            defer { r = nil }
            return r
        }) else { return }
        var done = r
        done.completionTokens = completionTokens
        done.responded = responded
        await recorder.record(done)
    }
}
