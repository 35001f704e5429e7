import Foundation
import GGUF
import Kernels
import Testing

/// Bit-exactness against llama.cpp's ggml, from Tests/Fixtures/kernels/goldens.json
/// (written by scripts/kernel_goldens.py from libggml-cpu.so, an x86 AVX2 build).
///
/// - Activation quantizers: our AVX2 variant must give ggml's x86 bytes, our
///   generic variant ggml's `_generic` (= *_ref) bytes.
/// - Dot kernels, fed ggml's quantized activations: the AVX2 variant must give
///   ggml's x86 result bits, the generic variant ggml's `_generic` bits; the
///   matmul (1 and 4+1 tokens, several threads) must give the x86 bits.
/// - softmax / swiglu / rms_norm: ggml's bits.
/// Where the CPU lacks AVX2 the "avx2" variant is the generic code, so only
/// the checks that hold for either run there.
@Suite struct GGMLGoldenTests {
    struct Quantizer: Decodable { let type: String; let kind: String; let n: Int; let x: String; let x86: String; let generic: String }
    struct ActCase: Decodable {
        struct Expect: Decodable { let act: String; let dots: [String] }
        let kind: String; let x: String; let x86: Expect; let generic: Expect
    }
    struct DotCase: Decodable { let type: String; let act_type: String; let n: Int; let rows: [String]; let acts: [ActCase] }
    struct VecOp: Decodable { let op: String; let x: String; let up: String?; let w: String?; let eps: Float?; let out: String }
    struct Goldens: Decodable { let quantizers: [Quantizer]; let dots: [DotCase]; let vecops: [VecOp] }

    static let goldens: Goldens = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Tests/Fixtures").path) {
            let up = dir.deletingLastPathComponent()
            precondition(up.path != dir.path, "Tests/Fixtures not found above \(#filePath)")
            dir = up
        }
        let url = dir.appendingPathComponent("Tests/Fixtures/kernels/goldens.json")
        return try! JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url))
    }()

    static func bytes(_ hex: String) -> [UInt8] {
        var out = [UInt8](), hi: UInt8? = nil
        out.reserveCapacity(hex.utf8.count / 2)
        for c in hex.utf8 {
            let v: UInt8 = c <= 57 ? c - 48 : (c | 32) - 87
            if let h = hi { out.append(h << 4 | v); hi = nil } else { hi = v }
        }
        return out
    }

    static func floats(_ hex: String) -> [Float] {
        let b = bytes(hex)
        return (0..<b.count / 4).map { i in
            Float(bitPattern: UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24)
        }
    }

    static func type(_ name: String) -> GGMLType {
        switch name {
        case "Q4_0": .q4_0
        case "Q4_1": .q4_1
        case "Q5_0": .q5_0
        case "Q5_1": .q5_1
        case "Q8_0": .q8_0
        case "Q8_1": .q8_1
        case "Q4_K": .q4_K
        case "Q5_K": .q5_K
        case "Q6_K": .q6_K
        case "Q8_K": .q8_K
        default: fatalError("unknown type \(name)")
        }
    }

    /// ggml leaves the bsums of an all-zero Q8_K block unset; the fixture has
    /// zeros there, so compare only d and qs of such blocks.
    static func maskQ8K(_ b: [UInt8]) -> [UInt8] {
        var b = b
        for blk in stride(from: 0, to: b.count, by: 292) where b[blk..<blk + 4].allSatisfy({ $0 == 0 }) {
            for i in blk + 260..<blk + 292 { b[i] = 0 }
        }
        return b
    }

    func quantize(_ q: Quantizer, _ variant: DotKernels.Variant) -> [UInt8] {
        let t = Self.type(q.type)
        let x = Self.floats(q.x)
        var out = [UInt8](repeating: 0xAA, count: Self.bytes(q.x86).count)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBytes { DotKernels.quantizeActivations(t, xp.baseAddress!, count: q.n, into: $0.baseAddress!, variant: variant) }
        }
        return t == .q8_K ? Self.maskQ8K(out) : out
    }

    @Test func activationQuantizers() {
        #expect(Self.goldens.quantizers.count >= 21)
        for q in Self.goldens.quantizers {
            #expect(quantize(q, .generic) == Self.bytes(q.generic), "\(q.type) \(q.kind) generic")
            if DotKernels.hasAVX2 {
                #expect(quantize(q, .avx2) == Self.bytes(q.x86), "\(q.type) \(q.kind) avx2")
                #expect(quantize(q, .best) == Self.bytes(q.x86), "\(q.type) \(q.kind) best")
            }
        }
    }

    func dot(_ t: GGMLType, _ n: Int, _ row: [UInt8], _ act: [UInt8], _ variant: DotKernels.Variant) -> String {
        let r = row.withUnsafeBytes { w in
            act.withUnsafeBytes { a in DotKernels.dot(t, count: n, weights: w.baseAddress!, activations: a.baseAddress!, variant: variant) }
        }
        return String(format: "%08x", r.bitPattern)
    }

    @Test func dotKernels() {
        #expect(Self.goldens.dots.count == 8)
        for c in Self.goldens.dots {
            let t = Self.type(c.type)
            let rows = c.rows.map(Self.bytes)
            for a in c.acts {
                let gen = Self.bytes(a.generic.act), x86 = Self.bytes(a.x86.act)
                for r in 0..<rows.count {
                    #expect(dot(t, c.n, rows[r], gen, .generic) == a.generic.dots[r], "\(c.type) \(a.kind) row \(r) generic")
                    if DotKernels.hasAVX2 {
                        #expect(dot(t, c.n, rows[r], x86, .avx2) == a.x86.dots[r], "\(c.type) \(a.kind) row \(r) avx2")
                    }
                }
            }
        }
    }

    /// The whole matmul (activation quantization + row-tiled, multi-token,
    /// multi-threaded kernels) reproduces ggml's per-token vec_dot bits.
    @Test func matMulMatchesGGML() throws {
        guard DotKernels.hasAVX2 else { return }
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 3)]
        for c in Self.goldens.dots {
            let t = Self.type(c.type)
            let w = c.rows.flatMap(Self.bytes)
            // tokens: the three activation rows, then again in reverse (5 tokens: one 4-token group + tail)
            let acts = c.acts + c.acts.reversed().prefix(2)
            let x = acts.flatMap { Self.floats($0.x) }
            try w.withUnsafeBytes { wb in
                let m = try QuantMatrix(type: t, rows: c.rows.count, columns: c.n, base: wb.baseAddress!)
                for tokens in [1, acts.count] {
                    for pool in pools {
                        var y = [Float](repeating: .nan, count: tokens * m.rows)
                        MatMul.multiply(m, x: x, tokens: tokens, y: &y, pool: pool)
                        for tok in 0..<tokens {
                            for r in 0..<m.rows {
                                #expect(String(format: "%08x", y[tok * m.rows + r].bitPattern) == acts[tok].x86.dots[r],
                                        "\(c.type) tokens=\(tokens) threads=\(pool.threads) token \(tok) row \(r)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func vectorOps() {
        for v in Self.goldens.vecops {
            var x = Self.floats(v.x)
            let n = x.count
            let want = Self.floats(v.out).map(\.bitPattern)
            switch v.op {
            case "softmax":
                x.withUnsafeMutableBufferPointer { VectorOps.softmax($0.baseAddress!, count: n) }
                #expect(x.map(\.bitPattern) == want, "softmax")
            case "swiglu":
                let up = Self.floats(v.up!)
                x.withUnsafeMutableBufferPointer { VectorOps.siluMul($0.baseAddress!, up, count: n) }
                #expect(x.map(\.bitPattern) == want, "swiglu")
            case "rms_norm":
                var out = [Float](repeating: .nan, count: n)
                VectorOps.rmsNorm(x, weight: Self.floats(v.w!), eps: v.eps!, count: n, out: &out)
                #expect(out.map(\.bitPattern) == want, "rms_norm")
            default:
                Issue.record("unknown op \(v.op)")
            }
        }
    }
}
