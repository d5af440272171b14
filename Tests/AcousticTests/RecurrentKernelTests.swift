@testable import Acoustic
import Core
import KaldiIO
import Testing

@Suite struct RecurrentKernelTests {
    /// The packed product equals a naive triple loop, for both packings, both modes, strided
    /// inputs and shapes that are not multiples of the kernel's tile (rows of 4, panels of 16).
    @Test(arguments: [(16, 1024, 256), (5, 12, 3), (3, 40, 17), (7, 64, 33), (1, 16, 1)])
    func packedProductMatchesTheNaiveProduct(m: Int, n: Int, k: Int) {
        var random = SeededGenerator(seed: UInt64(m * 1000 + n + k))
        let ldx = k + 3, ldy = n + 5
        let x = (0..<(m * ldx)).map { _ in Float.random(in: -1...1, using: &random) }
        let w = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &random) }   // n × k
        let wTransposed = (0..<(k * n)).map { w[($0 % n) * k + $0 / n] }                // k × n
        let start = (0..<(m * ldy)).map { _ in Float.random(in: -1...1, using: &random) }
        for (packing, accumulate) in [(0, false), (0, true), (1, false), (1, true)] {
            let packed = PackedWeights()
            (packing == 0 ? w : wTransposed).withUnsafeBufferPointer {
                packed.pack($0.baseAddress!, outputs: n, depth: k, transposed: packing == 1, precision: .fp32)
            }
            var y = start
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    packed.product(rows: m, x: xp.baseAddress!, ldx: ldx, y: yp.baseAddress!, ldy: ldy, accumulate: accumulate)
                }
            }
            var worst: Float = 0
            for r in 0..<m {
                for j in 0..<ldy {
                    var expected = start[r * ldy + j]
                    if j < n {
                        var sum: Float = 0
                        for i in 0..<k { sum += x[r * ldx + i] * w[j * k + i] }
                        expected = (accumulate ? expected : 0) + sum
                    }
                    worst = max(worst, abs(y[r * ldy + j] - expected))
                }
            }
            #expect(worst < 1e-3, "m \(m) n \(n) k \(k) packing \(packing) accumulate \(accumulate): max error \(worst)")
        }
    }
}
