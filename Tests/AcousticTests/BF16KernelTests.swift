import Core
import CRecurrentKernel
import Testing

/// The packed BF16 product (`parrot_packed_product_bf16`), on CPUs with AVX512_BF16.
@Suite(.enabled(if: parrot_bf16_available() != 0, "needs AVX512_BF16"))
struct BF16KernelTests {
    /// Rounding: values exactly representable in BF16 are kept, others go to the nearest, ties to even.
    @Test func roundingIsToNearestEven() {
        #expect(parrot_bf16_round(1.5) == 1.5)
        #expect(parrot_bf16_round(-3.0) == -3.0)
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: to even, 1.
        #expect(parrot_bf16_round(1.00390625) == 1)
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: to even, 1 + 2⁻⁶.
        #expect(parrot_bf16_round(1.01171875) == 1.015625)
        #expect(parrot_bf16_round(1.005) == 1.0078125)
    }

    /// The product equals the sum over the BF16-rounded inputs and weights, computed in double
    /// precision here, to FP32 accuracy; odd depths, partial panels and partial row tiles, with
    /// and without accumulating into y.
    @Test(arguments: [(16, 1024, 256), (5, 12, 3), (9, 40, 17), (1, 16, 1)])
    func productIsTheSumOverRoundedValues(m: Int, n: Int, k: Int) {
        var random = SeededGenerator(seed: UInt64(m * 7 + n + k))
        let ldx = k + 2, ldy = n + 3
        let x = (0..<(m * ldx)).map { _ in Float.random(in: -1...1, using: &random) }
        let w = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &random) }
        let start = (0..<(m * ldy)).map { _ in Float.random(in: -1...1, using: &random) }
        var packed = [UInt16](repeating: 0, count: parrot_packed_bf16_size(Int32(n), Int32(k)))
        parrot_pack_rows_bf16(w, Int32(n), Int32(k), &packed)
        for accumulate in [false, true] {
            var y = start
            parrot_packed_product_bf16(Int32(m), Int32(n), Int32(k), x, Int32(ldx), packed, &y, Int32(ldy), accumulate ? 1 : 0)
            var worst = 0.0
            for r in 0..<m {
                for j in 0..<n {
                    var sum = accumulate ? Double(start[r * ldy + j]) : 0
                    for i in 0..<k { sum += Double(parrot_bf16_round(x[r * ldx + i])) * Double(parrot_bf16_round(w[j * k + i])) }
                    worst = max(worst, abs(Double(y[r * ldy + j]) - sum))
                }
            }
            // FP32 sums of k products of magnitude ≤ 1.
            #expect(worst < 1e-5 * Double(k + 1), "accumulate \(accumulate): \(worst)")
        }
    }

    /// Packing W from its transpose (`parrot_pack_columns_bf16`) gives the same packed values as
    /// packing W itself, for odd depths and partial panels.
    @Test(arguments: [(40, 17), (12, 3), (64, 1024)])
    func columnPackingEqualsRowPackingOfTheTranspose(n: Int, k: Int) {
        var random = SeededGenerator(seed: UInt64(n + k))
        let w = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &random) }   // n × k
        let transposed = (0..<(k * n)).map { w[($0 % n) * k + $0 / n] }                // k × n
        let size = parrot_packed_bf16_size(Int32(n), Int32(k))
        var fromRows = [UInt16](repeating: 1, count: size), fromColumns = [UInt16](repeating: 2, count: size)
        parrot_pack_rows_bf16(w, Int32(n), Int32(k), &fromRows)
        parrot_pack_columns_bf16(transposed, Int32(n), Int32(k), Int32(n), &fromColumns)
        #expect(fromRows == fromColumns)
        // And a packed value is W's entry rounded: panel 0, pair 0, column 1, first of the pair is W[1][0].
        if n > 1 { #expect(fromRows[2] == UInt16(parrot_bf16_round(w[k]).bitPattern >> 16)) }
    }

    /// With X given as its transpose (`parrot_packed_product_bf16_transposed`, the weight-gradient
    /// form) the product is again the sum over BF16-rounded values; partial row tiles and odd depths.
    @Test(arguments: [(1024, 40, 37), (13, 48, 6), (8, 16, 1)])
    func transposedProductIsTheSumOverRoundedValues(m: Int, n: Int, k: Int) {
        var random = SeededGenerator(seed: UInt64(m + n * 3 + k))
        let ldx = m + 5, ldy = n + 1
        let xT = (0..<(k * ldx)).map { _ in Float.random(in: -1...1, using: &random) }   // X[r][i] = xT[i * ldx + r]
        let w = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &random) }
        let start = (0..<(m * ldy)).map { _ in Float.random(in: -1...1, using: &random) }
        var packed = [UInt16](repeating: 0, count: parrot_packed_bf16_size(Int32(n), Int32(k)))
        parrot_pack_rows_bf16(w, Int32(n), Int32(k), &packed)
        var y = start
        parrot_packed_product_bf16_transposed(Int32(m), Int32(n), Int32(k), xT, Int32(ldx), packed, &y, Int32(ldy), 1)
        var worst = 0.0
        for r in 0..<m {
            for j in 0..<n {
                var sum = Double(start[r * ldy + j])
                for i in 0..<k { sum += Double(parrot_bf16_round(xT[i * ldx + r])) * Double(parrot_bf16_round(w[j * k + i])) }
                worst = max(worst, abs(Double(y[r * ldy + j]) - sum))
            }
            #expect(y[r * ldy + n] == start[r * ldy + n], "column past n written")
        }
        #expect(worst < 1e-5 * Double(k + 1), "\(worst)")
    }
}
