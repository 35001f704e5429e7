import Foundation
import Reports
import UsageStats

/// The stats page's languages: Kazakh first (the default), as in the chat.
public enum StatsLanguage: String, CaseIterable, Sendable {
    case kk, ru, en

    /// The page's language: `?lang=` when it names one of ours, else the first of ours
    /// in `Accept-Language` (by weight, then by order), else Kazakh.
    public static func negotiate(query: String?, acceptLanguage: String?) -> StatsLanguage {
        if let query, let language = StatsLanguage(rawValue: query.lowercased()) { return language }
        return preferred(acceptLanguage ?? "") ?? .kk
    }

    /// The best supported language of an `Accept-Language` value (RFC 9110 §12.5.4);
    /// `ru-RU` counts as `ru`, and `q=0` means "not this one".
    static func preferred(_ header: String) -> StatsLanguage? {
        var ranked: [(language: StatsLanguage, weight: Double, order: Int)] = []
        for (order, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, let primary = tag.split(separator: "-").first,
                  let language = StatsLanguage(rawValue: primary.lowercased()) else { continue }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if weight > 0 { ranked.append((language, weight, order)) }
        }
        return ranked.min { $0.weight != $1.weight ? $0.weight > $1.weight : $0.order < $1.order }?.language
    }

    /// The language's name in itself, for the switcher.
    var nativeName: String {
        switch self {
        case .kk: return "Қазақша"
        case .ru: return "Русский"
        case .en: return "English"
        }
    }

    var text: StatsPageText {
        switch self {
        case .kk: return .kazakh
        case .ru: return .russian
        case .en: return .english
        }
    }
}
