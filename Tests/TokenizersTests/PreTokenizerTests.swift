import Testing
import Tokenizers

/// Pre-token splits for every supported `.pre`. Expectations were computed with
/// Python's `regex` module using the exact patterns from llama.cpp (applied in
/// sequence, keeping unmatched spans), which is what llama.cpp's hand-written
/// matchers reproduce.
struct PreTokenizerTests {
    static let cases: [(PreTokenizerKind, [(String, [String])])] = [
        (.llama3, [
            ("Hello world", ["Hello", " world"]),
            ("I'm sure they'll've done it", ["I", "'m", " sure", " they", "'ll", "'ve", " done", " it"]),
            ("HE'S 'Tis", ["HE", "'S", " '", "Tis"]),
            ("a  b   c\t\td\n\n\ne", ["a", " ", " b", "  ", " c", "\t", "\td", "\n\n\n", "e"]),
            (" hello", [" hello"]),
            ("1234567 3.14159", ["123", "456", "7", " ", "3", ".", "141", "59"]),
            ("def f(x):\n    return x**2  # комментарий", ["def", " f", "(x", "):\n", "   ", " return", " x", "**", "2", " ", " #", " комментарий"]),
            ("Сәлем, Қазақстан!", ["Сәлем", ",", " Қазақстан", "!"]),
            ("x  \n  y", ["x", "  \n", " ", " y"]),
            ("foo123bar", ["foo", "123", "bar"]),
            ("...!!! ,,, --- `q` $x+y", ["...!!!", " ,,,", " ---", " `", "q", "`", " $", "x", "+y"]),
            ("Hello Сәлем 你好", ["Hello", " Сәлем", " 你好"]),
            ("  ", ["  "]),
        ]),
        (.qwen2, [
            ("Hello world", ["Hello", " world"]),
            ("I'm sure they'll've done it", ["I", "'m", " sure", " they", "'ll", "'ve", " done", " it"]),
            ("HE'S 'Tis", ["HE", "'S", " '", "Tis"]),
            ("a  b   c\t\td\n\n\ne", ["a", " ", " b", "  ", " c", "\t", "\td", "\n\n\n", "e"]),
            (" hello", [" hello"]),
            ("1234567 3.14159", ["1", "2", "3", "4", "5", "6", "7", " ", "3", ".", "1", "4", "1", "5", "9"]),
            ("def f(x):\n    return x**2  # комментарий", ["def", " f", "(x", "):\n", "   ", " return", " x", "**", "2", " ", " #", " комментарий"]),
            ("Сәлем, Қазақстан!", ["Сәлем", ",", " Қазақстан", "!"]),
            ("x  \n  y", ["x", "  \n", " ", " y"]),
            ("foo123bar", ["foo", "1", "2", "3", "bar"]),
            ("...!!! ,,, --- `q` $x+y", ["...!!!", " ,,,", " ---", " `", "q", "`", " $", "x", "+y"]),
            ("Hello Сәлем 你好", ["Hello", " Сәлем", " 你好"]),
            ("  ", ["  "]),
        ]),
        (.smollm, [
            ("Hello world", ["Hello", " world"]),
            ("I'm sure they'll've done it", ["I", "'m", " sure", " they", "'ll", "'ve", " done", " it"]),
            ("HE'S 'Tis", ["HE", "'", "S", " '", "Tis"]),
            ("a  b   c\t\td\n\n\ne", ["a", " ", " b", "  ", " c", "\t", "\t", "d", "\n\n", "\n", "e"]),
            (" hello", [" hello"]),
            ("1234567 3.14159", ["1", "2", "3", "4", "5", "6", "7", " ", "3", ".", "1", "4", "1", "5", "9"]),
            ("def f(x):\n    return x**2  # комментарий", ["def", " f", "(", "x", "):", "\n   ", " return", " x", "**", "2", " ", " #", " комментарий"]),
            ("Сәлем, Қазақстан!", ["Сәлем", ",", " Қазақстан", "!"]),
            ("x  \n  y", ["x", "  \n ", " y"]),
            ("foo123bar", ["foo", "1", "2", "3", "bar"]),
            ("...!!! ,,, --- `q` $x+y", ["...!!!", " ,,,", " ---", " `", "q", "`", " $", "x", "+", "y"]),
            ("Hello Сәлем 你好", ["Hello", " Сәлем", " 你好"]),
            ("  ", ["  "]),
        ]),
        (.gpt2Default, [
            ("Hello world", ["Hello", " world"]),
            ("I'm sure they'll've done it", ["I", "'", "m", " sure", " they", "'", "ll", "'", "ve", " done", " it"]),
            ("HE'S 'Tis", ["HE", "'", "S", " ", "'", "Tis"]),
            ("a  b   c\t\td\n\n\ne", ["a", " ", " b", "  ", " c", "\t", "\t", "d", "\n\n", "\n", "e"]),
            (" hello", [" hello"]),
            ("1234567 3.14159", ["123", "456", "7", " ", "3", ".", "141", "59"]),
            ("def f(x):\n    return x**2  # комментарий", ["def", " f", "(", "x", "):", "\n   ", " return", " x", "**", "2", "  ", "#", " комментарий"]),
            ("Сәлем, Қазақстан!", ["Сәлем", ",", " Қазақстан", "!"]),
            ("x  \n  y", ["x", "  \n ", " y"]),
            ("foo123bar", ["foo", "123", "bar"]),
            ("...!!! ,,, --- `q` $x+y", ["...!!!", " ", ",,,", " ", "---", " `", "q", "`", " ", "$", "x", "+", "y"]),
            ("Hello Сәлем 你好", ["Hello", " Сәлем", " 你好"]),
            ("  ", ["  "]),
        ]),    ]

    @Test func splitsMatchRegexReference() {
        for (kind, rows) in Self.cases {
            for (text, expected) in rows {
                #expect(kind.preTokenize(text) == expected, "\(kind) \(text.debugDescription)")
            }
        }
    }

    @Test func preNamesMapToKinds() {
        #expect(PreTokenizerKind(preName: "llama-bpe") == .llama3)
        #expect(PreTokenizerKind(preName: "llama3") == .llama3)
        #expect(PreTokenizerKind(preName: "llama-v3") == .llama3)
        #expect(PreTokenizerKind(preName: "smollm") == .smollm)
        #expect(PreTokenizerKind(preName: "qwen2") == .qwen2)
        #expect(PreTokenizerKind(preName: nil) == .gpt2Default)
        #expect(PreTokenizerKind(preName: "default") == .gpt2Default)
        #expect(PreTokenizerKind(preName: "falcon") == nil)
    }

    /// llama.cpp's `\s` is Unicode White_Space: U+001C..U+001F are not whitespace
    /// (Python's str.isspace says they are), U+00A0 and U+3000 are.
    @Test func whitespaceIsUnicodeWhiteSpace() {
        #expect(PreTokenizerKind.llama3.preTokenize("a\u{1C}b") == ["a", "\u{1C}b"])
        #expect(PreTokenizerKind.llama3.preTokenize("a\u{A0}\u{A0}b") == ["a", "\u{A0}", "\u{A0}b"])
        #expect(PreTokenizerKind.llama3.preTokenize("x\u{3000}\u{3000}") == ["x", "\u{3000}\u{3000}"])
    }
}
