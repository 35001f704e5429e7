import GGUF
import Kernels
import Models
import Templates
import Tokenizers

/// A model file made ready to run: mapped weights, tokenizer and chat format.
public final class LoadedModel: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let path: String
    public let file: GGUFFile
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    /// Nil when the template in the file cannot be parsed or cannot render a probe
    /// conversation within its limits; chat then reports that error.
    public let chatFormatter: ChatFormatter?
    /// Why the file's chat template is refused: the parser's message and position, or the limit it hit.
    public let chatTemplateError: String?

    /// - Parameter kernels: `.fast` for Aqyl's interleaved kernels (the CLI's default),
    ///   `.llamaCppDefault` for llama.cpp's bits.
    public init(path: String, kernels: MatmulKernels = .llamaCppDefault) throws {
        self.path = path
        file = try GGUFFile(path: path)
        transformer = try Transformer(file: file, kernels: kernels)
        tokenizer = try TokenizerFactory.load(from: file)
        do {
            // A template is untrusted code: render a probe conversation now, so one that hangs,
            // explodes or fails is refused at load time, not on every request.
            let formatter = try ChatFormatter(file: file, tokenizer: tokenizer)
            try formatter.probe()
            chatFormatter = formatter
            chatTemplateError = nil
        } catch {
            chatFormatter = nil
            chatTemplateError = "\(error)"
        }
    }

    public var config: ModelConfig { transformer.config }

    /// Context to allocate: the request, else min(training context, 4096).
    public func contextLength(requested: Int?) -> Int {
        if let r = requested, r > 0 { return min(r, config.contextLength) }
        return min(config.contextLength, 4096)
    }

    public func makeGenerator(threads: Int, context: Int? = nil) -> TextGenerator {
        TextGenerator(model: transformer, tokenizer: tokenizer, pool: ThreadPool(threads: threads),
                      contextLength: contextLength(requested: context))
    }
}
