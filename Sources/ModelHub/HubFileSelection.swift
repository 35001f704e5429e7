/// Which files of a repo a reference means: one GGUF, or all parts of a split GGUF
/// (`NAME-00001-of-0000N.gguf` … `NAME-0000N-of-0000N.gguf`), in part order.
///
/// `:QUANT` picks as llama.cpp's `-hf repo:QUANT` does: the GGUF files whose name holds
/// the tag (case-insensitive, between separators), projector files (`mmproj`) excluded.
/// Without a tag: Q4_K_M, else Q4_0, else Q8_0, else the first GGUF by name.
public enum HubFileSelection {
    /// Quantization tags as they appear in GGUF file names, longest first so `Q4_K_M`
    /// wins over `Q4_K`.
    static let knownQuants = [
        "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M", "IQ4_NL", "IQ4_XS",
        "Q2_K_S", "Q2_K_L", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q3_K_XL", "Q3_K", "Q4_K_S", "Q4_K_M", "Q4_K_L", "Q4_K", "Q4_0_4_4", "Q4_0_4_8",
        "Q4_0_8_8", "Q4_0", "Q4_1", "Q5_K_S", "Q5_K_M", "Q5_K_L", "Q5_K", "Q5_0", "Q5_1", "Q6_K_L", "Q6_K", "Q8_0", "Q8_K_XL",
        "TQ1_0", "TQ2_0", "MXFP4", "BF16", "F16", "F32",
    ].sorted { $0.count > $1.count }

    public static func select(_ reference: HubReference, files: [String]) throws -> [String] {
        let gguf = files.filter { $0.lowercased().hasSuffix(".gguf") && !$0.lowercased().contains("mmproj") }.sorted()
        switch reference.selector {
        case let .file(path):
            guard files.contains(path) else { throw HubError.fileNotFound(repo: reference.repo, file: path, ggufFiles: gguf) }
            return try withSplitParts(path, files: files, repo: reference.repo)
        case let .quant(tag):
            let matching = gguf.filter { hasTag(tag, in: $0) }
            guard let first = matching.first(where: { splitPart($0).map { $0.number == 1 } ?? true }) else {
                throw HubError.quantNotFound(repo: reference.repo, quant: tag.uppercased(), available: availableQuants(gguf))
            }
            return try withSplitParts(first, files: files, repo: reference.repo)
        case .automatic:
            guard !gguf.isEmpty else { throw HubError.noGGUF(repo: reference.repo, files: files.sorted()) }
            let firstParts = gguf.filter { splitPart($0).map { $0.number == 1 } ?? true }
            for tag in ["Q4_K_M", "Q4_0", "Q8_0"] {
                if let hit = firstParts.first(where: { hasTag(tag, in: $0) }) {
                    return try withSplitParts(hit, files: files, repo: reference.repo)
                }
            }
            return try withSplitParts(firstParts.first ?? gguf[0], files: files, repo: reference.repo)
        }
    }

    /// The quantization tags that occur in these file names, in order of first appearance.
    public static func availableQuants(_ files: [String]) -> [String] {
        var out: [String] = []
        for f in files {
            if let q = knownQuants.first(where: { hasTag($0, in: f) }), !out.contains(q) { out.append(q) }
        }
        return out
    }

    /// `tag` occurs in the file's name (not its directories) between separators
    /// (`-`, `_`, `.`, start or end), ignoring case.
    static func hasTag(_ tag: String, in path: String) -> Bool {
        let name = Array((path.split(separator: "/").last.map(String.init) ?? path).uppercased().utf8)
        let t = Array(tag.uppercased().utf8)
        guard !t.isEmpty, name.count >= t.count else { return false }
        func separator(_ b: UInt8) -> Bool { b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") }
        for start in 0...(name.count - t.count) where Array(name[start..<(start + t.count)]) == t {
            let before = start == 0 || separator(name[start - 1])
            let end = start + t.count
            var after = end == name.count || separator(name[end])
            // `Q4_K` must not match inside `Q4_K_M`, nor `Q4_0` inside `Q4_0_4_4`: `_` plus one
            // letter or digit that ends there continues the tag.
            if after, end + 1 < name.count, name[end] == UInt8(ascii: "_"), isTagCharacter(name[end + 1]),
               end + 2 == name.count || separator(name[end + 2]) {
                after = false
            }
            if before && after { return true }
        }
        return false
    }

    static func isTagCharacter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    /// `(number, count)` of a `-%05d-of-%05d.gguf` name.
    static func splitPart(_ path: String) -> (number: Int, count: Int, prefix: String)? {
        let suffixLength = "-00001-of-00002.gguf".utf8.count
        guard path.utf8.count > suffixLength else { return nil }
        let tail = Array(path.utf8.suffix(suffixLength))
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard tail[i] >= 0x30, tail[i] <= 0x39 else { return nil }; v = v * 10 + Int(tail[i] - 0x30) }
            return v
        }
        guard tail[0] == UInt8(ascii: "-"), String(decoding: tail[6..<10], as: UTF8.self) == "-of-",
              String(decoding: tail[15...], as: UTF8.self).lowercased() == ".gguf",
              let n = digits(1..<6), let c = digits(10..<15), n >= 1, c >= 1, n <= c else { return nil }
        return (n, c, String(decoding: Array(path.utf8).dropLast(suffixLength), as: UTF8.self))
    }

    /// `path` alone, or, for part 1 of a split, all N parts (each must be in the repo).
    static func withSplitParts(_ path: String, files: [String], repo: String) throws -> [String] {
        guard let split = splitPart(path), split.count > 1 else { return [path] }
        guard split.number == 1 else {
            let first = split.prefix + splitSuffix(1, of: split.count)
            return try withSplitParts(first, files: files, repo: repo)
        }
        let all = (1...split.count).map { split.prefix + splitSuffix($0, of: split.count) }
        let present = Set(files)
        let missing = all.filter { !present.contains($0) }
        guard missing.isEmpty else { throw HubError.incompleteSplit(repo: repo, file: path, missing: missing) }
        return all
    }

    static func splitSuffix(_ number: Int, of count: Int) -> String {
        func five(_ n: Int) -> String { let d = String(n); return String(repeating: "0", count: max(0, 5 - d.count)) + d }
        return "-\(five(number))-of-\(five(count)).gguf"
    }
}
