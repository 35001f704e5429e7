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
}
