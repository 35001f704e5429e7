/// A short content digest of a task's items (FNV-1a 64 over their fields), so
/// a protocol names exactly which questions were asked.
enum ItemsDigest {
    static func of(_ task: EvalTask) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            h ^= 0x1f
            h = h &* 0x0000_0100_0000_01b3
        }
        switch task.items {
        case let .multipleChoice(items):
            for i in items {
                mix(i.id); mix(i.passage ?? ""); mix(i.question); i.choices.forEach(mix); mix(String(i.answer))
            }
        case let .generative(items, primary):
            mix(primary.rawValue)
            for i in items { mix(i.id); mix(i.question); i.answers.forEach(mix) }
        case let .perplexity(items):
            for i in items { mix(i.id); mix(i.text) }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
