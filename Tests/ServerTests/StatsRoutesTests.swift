import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing
import UsageStats
@testable import Server

/// The usage ledger through the HTTP routes, checked with the verifier.
@Suite struct StatsRoutesTests {
    @Test func requestsLandInTheSignedLogAndVerify() async throws {
        try await TestServer.app().test(.router) { client in
            let chat = #"{"model":"tiny","messages":[{"role":"user","content":"Сәлем"}],"max_tokens":3,"temperature":0}"#
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: chat)) { #expect($0.status == .ok) }
            }
            // Health checks and other routes are not events.
            try await client.execute(uri: "/health", method: .get) { _ in }
            var key = "", note = ""
            try await client.execute(uri: "/stats/key", method: .get) { key = String(buffer: $0.body).trimmingCharacters(in: .whitespacesAndNewlines) }
            try await client.execute(uri: "/stats/checkpoint", method: .get) { note = String(buffer: $0.body) }
            var verifier = LedgerVerifier()
            let signed = verifier.checkSignature(note: note, verifierKey: key)
            let checkpoint = try #require(signed)
            #expect(checkpoint.size == 2)
            var entries: [[UInt8]] = []
            try await client.execute(uri: "/stats/entries?start=0&end=\(checkpoint.size)", method: .get) { response in
                let page = try JSONDecoder().decode(EntriesPage.self, from: Data(buffer: response.body))
                entries = page.entries.compactMap { Data(base64Encoded: $0).map { Array($0) } }
            }
            var report: UsageReport?
            try await client.execute(uri: "/stats/figures?size=\(checkpoint.size)", method: .get) { response in
                report = try JSONDecoder().decode(UsageReport.self, from: Data(buffer: response.body))
            }
            _ = verifier.checkRoot(entries: entries, checkpoint: checkpoint)
            verifier.checkFigures(entries: entries, published: report)
            #expect(verifier.passed, "\(verifier.checks.map(\.detail))")
            // Anonymous traffic (no key, no browser identity) is published as excluded, not counted.
            #expect(report?.days.last?.excluded["anonymous"] == 2)
            #expect(report?.days.last?.dau == .suppressed)
            try await client.execute(uri: "/stats/proof/inclusion?index=1&size=2", method: .get) { response in
                let proof = try JSONDecoder().decode(ProofDocument.self, from: Data(buffer: response.body)).proof
                    .compactMap { Data(base64Encoded: $0).map { Array($0) } }
                #expect(MerkleProof.verifyInclusion(leafHash: MerkleHashing.leaf(entries[1]), index: 1, size: 2, proof: proof, root: checkpoint.root))
            }
            try await client.execute(uri: "/stats/definitions", method: .get) { response in
                let o = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(o["version"] as? String == Definitions.version)
                #expect(Set(((o["texts"] as? [String: Any]) ?? [:]).keys) == ["kk", "ru", "en"])
            }
            try await client.execute(uri: "/stats/entries?start=-1", method: .get) { #expect($0.status == .badRequest) }
        }
    }
}
