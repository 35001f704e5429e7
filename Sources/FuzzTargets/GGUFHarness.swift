import GGUF
import Models
import Tokenizers

/// The GGUF reader, and what a model file feeds next: the model configuration and
/// the tokenizer built from the file's vocabulary.
enum GGUFHarness {
    static let target = FuzzTarget(
        name: "gguf",
        summary: "GGUF header, metadata and tensor table; then ModelConfig and the tokenizer from its vocabulary"
    ) {
        { bytes in
            guard let file = try? GGUFFile(bytes: bytes) else { return }
            var touched = 0
            for key in file.metadataKeys { touched &+= file.metadata[key]?.description.utf8.count ?? 0 }
            for info in file.tensors {
                // Every derived size of an accepted tensor must be computable without trapping.
                touched &+= info.elementCount &+ info.rows &+ info.columns
                let data = file.tensorData(info)
                precondition(data.count == info.byteCount, "tensor view size differs from its byte count")
                if let first = data.first, let last = data.last { touched &+= Int(first) &+ Int(last) }
            }
            _ = try? ModelConfig(file: file)
            if let tokenizer = try? TokenizerFactory.load(from: file) {
                let ids = tokenizer.encode("Сәлем, әлем! Hello 123 <|im_start|>", addSpecial: true, parseSpecial: true)
                for id in ids {
                    precondition(id >= 0 && Int(id) < tokenizer.vocabularySize, "token id \(id) outside the vocabulary")
                }
                touched &+= tokenizer.decode(ids, special: true).utf8.count
            }
            blackHole(touched)
        }
    }
}

/// Keeps a computed value alive so the optimizer cannot drop the work that made it.
@inline(never)
func blackHole(_ value: Int) {
    if value == 0x5eed_5eed { print("") }
}
