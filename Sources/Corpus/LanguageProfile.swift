import Foundation

/// Character n-gram (1–3) naive-Bayes profiles of kk, ru, en and Latin-script "other", built once from the
/// embedded samples (LanguageSamples.swift).
///
/// Each word is scored on its own with a boundary mark on both sides (" бала "), so word endings, which carry
/// most of the kk/ru difference (-ның, -ды, -лар versus -ого, -ть, -ся), are n-grams of their own.
struct LanguageProfile: Sendable {
    /// Column order of the scores.
    static let languages: [Language] = [.kk, .ru, .en, .other]
    static let maxOrder = 3
    /// Add-α smoothing of the counts.
    static let alpha = 0.5
    /// No single n-gram may count more than this many nats against a language: one Kazakh place name in a
    /// Russian sentence (or a loanword in a Kazakh one) must not outweigh the rest of the line.
    static let clampNats = 4.0
    static let boundary: UInt32 = 0x20

    /// n-gram key → row of `logProbs`.
    private let rows: NGramTable
    /// log P(n-gram | language) per row, columns as in `languages`.
    private let logProbs: [SIMD4<Float>]

    static let shared = LanguageProfile(samples: [
        LanguageSamples.kk, LanguageSamples.ru, LanguageSamples.en, LanguageSamples.other,
    ])

    init(samples: [String]) {
        precondition(samples.count == 4)
        var counts: [UInt64: SIMD4<Double>] = [:]
        var totals = [SIMD4<Double>](repeating: .zero, count: Self.maxOrder + 1)
        for (column, text) in samples.enumerated() {
            var unit = SIMD4<Double>.zero
            unit[column] = 1
            Self.forEachWord(in: text) { word in
                Self.forEachGram(of: word) { key, order in
                    counts[key, default: .zero] += unit
                    totals[order] += unit
                }
            }
        }
        var distinct = [Double](repeating: 0, count: Self.maxOrder + 1)
        for key in counts.keys { distinct[Self.order(of: key)] += 1 }

        var rows = NGramTable(capacity: counts.count)
        var logProbs: [SIMD4<Float>] = []
        logProbs.reserveCapacity(counts.count)
        for (key, c) in counts {
            let n = Self.order(of: key)
            var lp = SIMD4<Float>.zero
            for l in 0..<4 {
                lp[l] = Float(log((c[l] + Self.alpha) / (totals[n][l] + Self.alpha * (distinct[n] + 1))))
            }
            let floor = lp.max() - Float(Self.clampNats)
            lp.replace(with: SIMD4(repeating: floor), where: lp .< floor)
            rows.insert(key, row: Int32(logProbs.count))
            logProbs.append(lp)
        }
        self.rows = rows
        self.logProbs = logProbs
    }

    /// Sum of the log-probabilities of the word's n-grams and how many n-grams were known. N-grams no sample
    /// has seen are skipped: they say nothing about which of the four it is.
    func score(word: UnsafeBufferPointer<UInt32>) -> (logProb: SIMD4<Double>, grams: Int) {
        var sum = SIMD4<Float>.zero
        var grams = 0
        Self.forEachGram(of: word) { key, _ in
            let row = rows.row(for: key)
            if row >= 0 {
                sum += logProbs[Int(row)]
                grams += 1
            }
        }
        return (SIMD4<Double>(sum), grams)
    }

    /// The n-grams of " word " (orders 1...maxOrder; the bare boundary is not a unigram). Key: the scalars,
    /// 21 bits each, packed from the left; no scalar is 0, so orders cannot collide.
    static func forEachGram(of word: UnsafeBufferPointer<UInt32>, _ body: (UInt64, Int) -> Void) {
        let count = word.count + 2
        @inline(__always) func at(_ i: Int) -> UInt64 {
            i == 0 || i == count - 1 ? UInt64(boundary) : UInt64(word[i - 1])
        }
        for start in 0..<count {
            var key: UInt64 = 0
            for order in 1...maxOrder {
                let end = start + order
                if end > count { break }
                key = key << 21 | at(end - 1)
                if order == 1 && (start == 0 || start == count - 1) { continue }
                body(key, order)
            }
        }
    }

    static func order(of key: UInt64) -> Int {
        key >> 42 != 0 ? 3 : key >> 21 != 0 ? 2 : 1
    }

    /// Lower-cased letter runs of a text, as training sees them.
    static func forEachWord(in text: String, _ body: (UnsafeBufferPointer<UInt32>) -> Void) {
        var word: [UInt32] = []
        word.reserveCapacity(64)
        func flush() {
            if !word.isEmpty { word.withUnsafeBufferPointer(body) }
            word.removeAll(keepingCapacity: true)
        }
        for s in text.unicodeScalars {
            if LetterScan.isLetter(s) { word.append(LetterScan.lower(s)) } else { flush() }
        }
        flush()
    }
}

/// Open-addressing hash map from n-gram key to row, read millions of times per corpus: a multiplicative hash
/// and linear probing are several times faster than Dictionary's seeded SipHash here.
struct NGramTable: Sendable {
    private var keys: [UInt64]  // 0 = empty (no n-gram key is 0)
    private var rows: [Int32]
    private let mask: Int
    private let shift: UInt64

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        rows = [Int32](repeating: -1, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    mutating func insert(_ key: UInt64, row: Int32) {
        var i = slot(key)
        while keys[i] != 0 && keys[i] != key { i = (i + 1) & mask }
        keys[i] = key
        rows[i] = row
    }

    /// The row of `key`, or -1.
    @inline(__always) func row(for key: UInt64) -> Int32 {
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return rows[i] }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }
}
