/// Short lists of very frequent function words per language. A hit is strong evidence that n-grams of a
/// single short word cannot give. Words that are frequent in both Kazakh and Russian are left out on purpose:
/// "да" (kk particle / ru "yes, and"), "та" (kk particle / ru "that"), "не" stays Russian only ("not" there is
/// far more frequent than Kazakh "what").
enum LanguageWords {
    static let kk: Set<String> = [
        "және", "бұл", "мен", "үшін", "деп", "бір", "емес", "де", "те", "ол", "біз", "сен", "сіз", "олар", "осы",
        "сол", "бар", "жоқ", "еді", "екен", "болып", "болды", "болады", "керек", "қазір", "бірақ", "туралы",
        "кейін", "дейін", "арқылы", "сияқты", "барлық", "көп", "өте", "ма", "ме", "ба", "бе", "па", "пе", "ғой",
        "әр", "ең", "тағы", "ал", "онда", "мұнда", "менің", "сенің", "оның", "біздің", "мына", "ана", "әлі",
        "қандай", "неге", "қайда", "кім", "қалай", "жылы", "сондықтан", "себебі", "егер", "дегенмен", "әрі",
    ]
    static let ru: Set<String> = [
        "и", "в", "не", "что", "это", "на", "как", "с", "по", "он", "она", "они", "мы", "вы", "я", "но", "же",
        "из", "за", "от", "для", "у", "к", "так", "уже", "только", "все", "всё", "был", "была", "было", "были",
        "его", "её", "их", "который", "которые", "очень", "если", "когда", "чтобы", "или", "бы", "ли", "тоже",
        "ещё", "еще", "нет", "есть", "там", "здесь", "сейчас", "потому", "о", "при", "до", "без", "над", "под",
        "а", "мне", "меня", "тебя", "себя", "этот", "эта", "эти", "того", "чем", "где", "кто", "почему",
    ]
    static let en: Set<String> = [
        "the", "and", "of", "to", "in", "is", "it", "that", "was", "for", "on", "are", "with", "as", "at", "be",
        "this", "have", "from", "by", "not", "but", "what", "all", "were", "we", "when", "your", "can", "there",
        "an", "which", "their", "you", "he", "she", "they", "i", "my", "will", "would", "has", "had", "do",
        "does", "did", "been", "so", "if", "or", "about", "me", "our", "how", "why", "where", "who", "it's",
    ]

    /// All three lists in one hash table keyed by a 64-bit hash of the lower-case scalars; the row is a bit mask
    /// (1 kk, 2 ru, 4 en). Looked up once per word, so no String is built on the hot path.
    static let table: NGramTable = {
        var masks: [UInt64: Int32] = [:]
        for (bit, list) in [(Int32(1), kk), (2, ru), (4, en)] {
            for word in list {
                let scalars = word.unicodeScalars.map(\.value)
                let key = scalars.withUnsafeBufferPointer(hash)
                masks[key, default: 0] |= bit
            }
        }
        var table = NGramTable(capacity: masks.count)
        for (key, mask) in masks { table.insert(key, row: mask) }
        return table
    }()

    /// FNV-1a over the scalars, never 0 (0 marks an empty slot in NGramTable).
    static func hash(_ word: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in word { h = (h ^ UInt64(v)) &* 0x100_0000_01B3 }
        return h | 1
    }

    /// Bit mask of the lists the word is in (1 kk, 2 ru, 4 en), 0 for none.
    static func mask(_ word: UnsafeBufferPointer<UInt32>) -> Int32 {
        guard word.count <= 8 else { return 0 }
        return max(table.row(for: hash(word)), 0)
    }
}
