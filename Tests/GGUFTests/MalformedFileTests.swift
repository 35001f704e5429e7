import Testing
@testable import GGUF
import TestSupport

/// Hostile and broken inputs must produce typed errors, never a crash or an
/// out-of-bounds read (llama.cpp shipped heap overflows in exactly this code).
@Suite struct MalformedFileTests {
    static let valid: [UInt8] = (try? RoundTripTests.sampleWriter().encode()) ?? []

    @Test func badMagicAndVersion() {
        var bytes = Self.valid
        bytes[0] = 0x58
        #expect(throws: GGUFError.badMagic(0x4655_4758)) { try GGUFFile(bytes: bytes) }
        bytes = Self.valid
        bytes[4] = 9
        #expect(throws: GGUFError.unsupportedVersion(9)) { try GGUFFile(bytes: bytes) }
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: []) }
    }

    @Test func everyTruncationIsATypedError() throws {
        let file = try GGUFFile(bytes: Self.valid)
        let last = try #require(file.tensors.last)
        // Bytes past the last tensor are alignment padding; every prefix that
        // cuts into real content must be rejected.
        let needed = file.dataOffset + last.offset + last.byteCount
        #expect(needed > Self.valid.count - file.alignment)
        for length in 0..<needed {
            do {
                _ = try GGUFFile(bytes: Array(Self.valid[..<length]))
                Issue.record("prefix of \(length) bytes parsed")
            } catch is GGUFError {
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }

    @Test func hugeCountsAreRejectedBeforeAllocating() {
        var bytes = Self.valid
        // n_kv at offset 16: claim 2^62 entries.
        bytes.replaceSubrange(16..<24, with: [0, 0, 0, 0, 0, 0, 0, 0x40])
        #expect(throws: GGUFError.countTooLarge(what: "metadata", count: 1 << 62)) { try GGUFFile(bytes: bytes) }
        bytes = Self.valid
        bytes.replaceSubrange(8..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: GGUFError.self) { try GGUFFile(bytes: bytes) }
    }

    /// Found by the gguf fuzz target: a zero first dimension makes the byte size 0, so the
    /// bounds check passed, but the row count 2^47 · 2^47 overflowed where it was computed.
    @Test func dimensionProductsThatOverflowAreRejected() throws {
        var w = GGUFWriter()
        try w.addTensor(name: "t", type: .f32, dimensions: [0, 1 << 47, 1 << 47], bytes: [])
        #expect(throws: GGUFError.tensorTooLarge(tensor: "t")) { try GGUFFile(bytes: try w.encode()) }
        var ok = GGUFWriter()
        try ok.addTensor(name: "t", type: .f32, dimensions: [0, 1 << 20, 1 << 20], bytes: [])
        #expect(try GGUFFile(bytes: try ok.encode()).tensors.first?.rows == 1 << 40)
    }

    @Test func randomMutationsYieldOnlyTypedErrors() {
        var rng = SeededRandom(seed: 42)
        var parsed = 0, rejected = 0
        let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x40, 0x01]
        for case_ in 0..<4000 {
            var bytes = Self.valid
            switch case_ % 4 {
            case 0: // flip random bytes
                for _ in 0..<Int(rng.next() % 4 + 1) {
                    let i = Int(rng.next() % UInt64(bytes.count))
                    bytes[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            case 1: // truncate
                bytes = Array(bytes[..<Int(rng.next() % UInt64(bytes.count))])
            case 2: // plant a huge 64-bit count somewhere in the header
                let i = Int(rng.next() % UInt64(min(bytes.count - 8, 400)))
                for k in 0..<8 { bytes[i + k] = interesting[Int(rng.next() % UInt64(interesting.count))] }
            default: // overwrite a run with garbage
                let i = Int(rng.next() % UInt64(bytes.count))
                for k in i..<min(bytes.count, i + 16) { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            do {
                let f = try GGUFFile(bytes: bytes)
                // Anything that parses must still give in-bounds views.
                for t in f.tensors { #expect(f.tensorData(t).count == t.byteCount) }
                parsed += 1
            } catch is GGUFError {
                rejected += 1
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
        #expect(parsed + rejected == 4000)
        #expect(rejected > 1000)
    }

    @Test func missingFileAndNonRegularFile() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/tmp") }
    }
}
