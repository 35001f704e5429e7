import Foundation

/// Per-item scores for lm-evaluation-harness `output_type: multiple_choice`.
///
/// Checked against lm_eval 0.4.13, lm_eval/api/task.py `ConfigurableTask.process_results`:
///
///     choices = self.doc_to_choice(doc)
///     completion_len = np.array([float(len(i)) for i in choices])
///     pred = np.argmax(lls)
///     pred_norm = np.argmax(lls / completion_len)
///     acc = 1.0 if pred == gold else 0.0
///     acc_norm = 1.0 if pred_norm == gold else 0.0
///
/// `choices` there are the raw `doc_to_choice` strings: the target delimiter (default " ")
/// is only prepended when the requests are built (`f"{target_delimiter}{cont}"` in
/// `construct_requests`), so it is not part of the length. Python `len` counts Unicode
/// scalars, hence `unicodeScalars.count` below, not `count` (grapheme clusters) or UTF-8 bytes.
/// (lm-eval's separate `acc_bytes` divides by UTF-8 bytes instead.)
public enum MultipleChoiceScore {
    /// `argmax(lls) == gold`.
    public static func acc(logLikelihoods: [Double], gold: Int) -> Bool {
        argmax(logLikelihoods) == gold
    }

    /// `argmax(lls[i] / len(choices[i])) == gold`, length in Unicode scalars. A zero-length
    /// choice divides by zero exactly as numpy does (−inf, or NaN for 0/0). False when the
    /// counts of log-likelihoods and choices differ (numpy would raise).
    public static func accNorm(logLikelihoods: [Double], choices: [String], gold: Int) -> Bool {
        guard logLikelihoods.count == choices.count else { return false }
        let normalized = zip(logLikelihoods, choices).map { ll, choice in
            ll / Double(choice.unicodeScalars.count)
        }
        return argmax(normalized) == gold
    }

    /// numpy `argmax`: the first maximum wins ties, and a NaN counts as the maximum (the first
    /// NaN is returned). nil for an empty array.
    static func argmax(_ xs: [Double]) -> Int? {
        guard var best = xs.indices.first else { return nil }
        for i in xs.indices {
            if xs[i].isNaN { return i }
            if xs[i] > xs[best] { best = i }
        }
        return best
    }
}
