import GGUF
import Kernels

/// Writes a model whose new-token rows are the trained ones: how `aqyl finetune
/// --train-embeddings new` delivers what it learned for the tokens `aqyl vocab extend` added.
///
/// Why a model file and not the adapter: llama.cpp's LoRA format holds only low-rank deltas
/// (`token_embd.weight.lora_a/b`); a full-rank change of k rows would need an A of
/// k × vocabulary floats, and extra tensors make llama.cpp refuse the adapter. A GGUF with
/// the rows replaced is a file both Aqyl and llama.cpp load, with the LoRA adapter beside it.
public enum TrainedRowsWriter {
    /// `file` with rows `first...` of `token_embd.weight` replaced by `input` and, when the
    /// model has an untied `output.weight`, its rows by `output` (each (rows, width), encoded
    /// in the matrix's own type). Everything else is copied as is.
    public static func model(_ file: GGUFFile, first: Int, input: [Float], output: [Float]?) throws -> GGUFWriter {
        var w = GGUFWriter()
        for key in file.metadataKeys {
            if let value = file.metadata[key] { w.set(key, value) }
        }
        for t in file.tensors {
            let data = file.tensorData(t)
            let replacement: [Float]? = t.name == "token_embd.weight" ? input : t.name == "output.weight" ? output : nil
            guard let rows = replacement else {
                if t.name == "output.weight" {
                    throw VocabExtensionError.missingEmbedding("the trained rows have no output rows for the untied output.weight")
                }
                try w.addTensor(name: t.name, type: t.type, dimensions: t.dimensions, from: file, tensor: t)
                continue
            }
            guard t.dimensions.count == 2, first >= 0, first <= t.rows, rows.count == (t.rows - first) * t.columns else {
                throw VocabExtensionError.missingEmbedding("\(t.name) has \(t.rows) rows of \(t.columns); got \(rows.count) values from row \(first)")
            }
            guard Quantize.supportedTypes.contains(t.type), let rowBytes = t.type.rowBytes(t.columns) else {
                throw VocabExtensionError.unsupportedMatrixType(tensor: t.name, type: t.type)
            }
            try w.addTensor(name: t.name, type: t.type, dimensions: t.dimensions,
                            bytes: Array(data.prefix(first * rowBytes)) + (try Quantize.quantize(rows, to: t.type)))
        }
        return w
    }
}
