import Testing
import Foundation
import GGUF
import Kernels
import Models
import TestSupport

@Suite struct TmpProbe {
    @Test func probe() throws {
        let model = try Transformer(path: FixturePaths.model("smollm2-135m"))
        let data = try Data(contentsOf: URL(fileURLWithPath: "/tmp/probe/smol.bin"))
        let ll = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let v = model.config.vocabulary
        let prompts: [[Int32]] = [[504, 3575, 282], [504, 3575, 282, 4649], [504, 3575, 282, 4649, 314]]
        for (i, p) in prompts.enumerated() {
            for mode in [Numerics.llamaCompatible, .exact] {
                model.numerics = mode
                let ours = try model.forward(p, cache: model.makeCache(capacity: 16), pool: ThreadPool(threads: 1))
                let ref = Array(ll[(i * v)..<((i + 1) * v)])
                var num: Float = 0, den: Float = 0, maxd: Float = 0
                for j in 0..<v { let d = ours[j] - ref[j]; num += d * d; den += ref[j] * ref[j]; maxd = max(maxd, abs(d)) }
                print("prompt \(p.count) \(mode): rel \((num / den).squareRoot()) maxabs \(maxd)")
            }
        }
    }
}
