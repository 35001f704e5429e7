import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore

/// A witness of the usage log (`--witness VKEY@URL`): its cosignature verifier key and
/// the base URL of its C2SP tlog-witness API.
public struct WitnessSpec: Sendable, Equatable {
    public var verifierKey: String
    public var url: String

    /// Parses `VKEY@URL` (a verifier key has no `@`; the URL starts with http).
    public init(parsing text: String) throws(LedgerError) {
        guard let at = text.range(of: "@http") else { throw .malformedKey("expected VERIFIER_KEY@URL, got '\(text)'") }
        verifierKey = String(text[..<at.lowerBound])
        url = String(text[text.index(after: at.lowerBound)...])
        while url.hasSuffix("/") { url.removeLast() }
        _ = try CosignatureVerifier(verifierKey: verifierKey)
    }
}

/// Collects the witnesses' cosignatures for the log's checkpoints (C2SP tlog-witness):
/// each new checkpoint is sent to every witness's `add-checkpoint` with a consistency
/// proof from the size that witness last cosigned, and `/stats/checkpoint` serves the
/// checkpoint with every cosignature that came back (each one checked first).
///
/// A witness that is down or refuses costs only its line: the checkpoint is still
/// served, and the next request tries again.
actor WitnessPool {
    private struct Member {
        let spec: WitnessSpec
        let verifier: CosignatureVerifier
        /// The size this witness last cosigned, as far as we know (it corrects us with a 409).
        var size = 0
        /// After a failure, not asked again before this (a public route must not turn
        /// every request into a wait on a dead witness).
        var quietUntil: ContinuousClock.Instant?
    }

    private var members: [Member]
    private let log: any PublishedLog
    private var cache: (note: String, lines: [String])?
    static let timeout: TimeAmount = .seconds(5)
    static let backOff: Duration = .seconds(30)

    init(witnesses: [WitnessSpec], log: any PublishedLog) {
        members = witnesses.compactMap { spec in (try? CosignatureVerifier(verifierKey: spec.verifierKey)).map { Member(spec: spec, verifier: $0) } }
        self.log = log
    }

    var isEmpty: Bool { members.isEmpty }

    /// `note` with the cosignatures of every witness that signed it.
    func cosigned(_ note: String) async -> String {
        guard !members.isEmpty else { return note }
        if let cache, cache.note == note { return note + cache.lines.joined() }
        let size = note.split(separator: "\n", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        var lines: [String] = []
        for i in members.indices {
            if let quiet = members[i].quietUntil, ContinuousClock.now < quiet { continue }
            if let line = await submit(note, size: size, to: i) {
                lines.append(line)
                members[i].quietUntil = nil
            } else {
                members[i].quietUntil = ContinuousClock.now + Self.backOff
            }
        }
        if lines.count == members.count { cache = (note, lines) }
        return note + lines.joined()
    }

    private func submit(_ note: String, size: Int, to i: Int) async -> String? {
        for _ in 0..<2 {
            let old = members[i].size
            guard old <= size, let proof = log.consistencyProof(old: old, new: size) else { return nil }
            let body = "old \(old)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n" + note
            var request = HTTPClientRequest(url: members[i].spec.url + "/add-checkpoint")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
                let text = String(buffer: try await response.body.collect(upTo: 64 << 10))
                switch response.status.code {
                case 200:
                    // Keep only this witness's own, valid line.
                    let line = text.split(separator: "\n").map { String($0) + "\n" }
                        .first { members[i].verifier.verify(note: note + $0) != nil }
                    if line != nil { members[i].size = size }
                    return line
                case 409:
                    guard let known = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), known != old else { return nil }
                    members[i].size = known
                default:
                    return nil
                }
            } catch {
                return nil
            }
        }
        return nil
    }
}
