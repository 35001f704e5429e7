import Models

/// Where a served LoRA adapter (`aqyl serve --lora`) goes: on the first loaded
/// model it fits, as its own model id. Kept here, beside ``ModelEntry``, so the
/// CLI only parses flags and every caller places adapters the same way.
public enum AdapterPlacement {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The id is already a model's or another adapter's.
        case duplicateID(String)
        /// No loaded model accepts the adapter; the first model's reason is kept.
        case fitsNoModel(id: String, reason: String?)

        public var description: String {
            switch self {
            case let .duplicateID(id): "model id '\(id)' is given twice (name the adapter: --lora NAME=PATH)"
            case let .fitsNoModel(id, reason): reason ?? "--lora \(id): no local model to apply it to"
            }
        }
    }

    /// Adds `adapter` at `scale` as model id `id` on the first entry whose
    /// tensors it fits; returns that entry's index.
    @discardableResult
    public static func place(_ adapter: LoRAAdapter, id: String, scale: Float, on entries: inout [ModelEntry]) throws(Failure) -> Int {
        guard !entries.contains(where: { $0.id == id || $0.adapters.contains { $0.id == id } }) else {
            throw .duplicateID(id)
        }
        var firstReason: String?
        for i in entries.indices {
            do {
                let stack = try AdapterStack([(adapter, scale)], file: entries[i].model.file, config: entries[i].model.config)
                entries[i].adapters.append((id, stack))
                return i
            } catch {
                if firstReason == nil { firstReason = "\(error)" }
            }
        }
        throw .fitsNoModel(id: id, reason: firstReason)
    }
}
