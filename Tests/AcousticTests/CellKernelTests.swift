@testable import Acoustic
import Core
import CRecurrentKernel
import Testing

/// The AVX-512 LSTM step (`parrot_lstm_cell_avx512`) gives the portable Swift step's bits.
@Suite(.enabled(if: parrot_recurrent_kernel_available() != 0, "needs AVX-512"))
struct CellKernelTests {
    /// Random pre-activations from moderate to saturating (±120, past the ±87 clamp), widths with
    /// and without a partial last block of 16 (and of 8, the Swift step's tail), with and without
    /// a previous cell, masked and not.
    @Test(arguments: [256, 128, 40, 13, 8, 3])
    func bothStepsGiveTheSameBits(hidden h: Int) {
        var random = SeededGenerator(seed: UInt64(h))
        for (scale, hasPrevious, mask) in [(Float(3), true, Float(1)), (120, true, 1), (3, false, 1), (3, true, 0)] {
            let z = (0..<(4 * h)).map { _ in Float.random(in: -scale...scale, using: &random) }
            let bias = (0..<(4 * h)).map { _ in Float.random(in: -1...1, using: &random) }
            let previous = (0..<h).map { _ in Float.random(in: -2...2, using: &random) }
            func run(_ kernel: (UnsafeMutablePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [[Float]] {
                var zz = z, cell = [Float](repeating: 9, count: h), tanhCell = cell, output = cell
                previous.withUnsafeBufferPointer { p in
                    kernel(&zz, hasPrevious ? p.baseAddress! : nil, &cell, &tanhCell, &output)
                }
                return [zz, cell, tanhCell, output]
            }
            let avx = run { z, p, c, tc, o in bias.withUnsafeBufferPointer { parrot_lstm_cell_avx512(z, $0.baseAddress!, p, mask, c, tc, o, Int32(h)) } }
            let swift = run { z, p, c, tc, o in
                bias.withUnsafeBufferPointer { ActivationKernels.lstmCellSIMD8(z: z, bias: $0.baseAddress!, previousCell: p, mask: mask, cell: c, tanhCell: tc, output: o, hidden: h) }
            }
            for (a, b) in zip(avx, swift) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "scale \(scale), previous \(hasPrevious), mask \(mask)") }
        }
    }

    /// The backward step in C (`parrot_lstm_cell_backward_avx512`) gives the Swift loop's bits, for
    /// the same widths, with and without a previous cell, masked and not.
    @Test(arguments: [256, 128, 40, 13, 8, 3])
    func bothBackwardStepsGiveTheSameBits(hidden h: Int) {
        var random = SeededGenerator(seed: UInt64(h + 1000))
        for (hasPrevious, mask) in [(true, Float(1)), (false, 1), (true, 0)] {
            let gates = (0..<(4 * h)).map { k in k / h == 2 ? Float.random(in: -1...1, using: &random) : Float.random(in: 0...1, using: &random) }
            let tanhCell = (0..<h).map { _ in Float.random(in: -1...1, using: &random) }
            let previous = (0..<h).map { _ in Float.random(in: -2...2, using: &random) }
            let dh = (0..<h).map { _ in Float.random(in: -3...3, using: &random) }
            let carried = (0..<h).map { _ in Float.random(in: -3...3, using: &random) }
            func run(_ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [[Float]] {
                var dc = carried, dz = [Float](repeating: 9, count: 4 * h)
                previous.withUnsafeBufferPointer { p in kernel(hasPrevious ? p.baseAddress! : nil, &dc, &dz) }
                return [dc, dz]
            }
            let avx = run { p, dc, dz in parrot_lstm_cell_backward_avx512(gates, tanhCell, p, mask, dh, dc, dz, Int32(h)) }
            let swift = run { p, dc, dz in
                ActivationKernels.lstmCellBackwardScalar(gates: gates, tanhCell: tanhCell, previousCell: p, mask: mask, dh: dh, dc: dc, dz: dz, hidden: h)
            }
            for (a, b) in zip(avx, swift) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "previous \(hasPrevious), mask \(mask)") }
            // And one value worked by hand: ∂z of the output gate is ∂h · tanh(c) · o · (1 − o).
            let o = gates[3 * h], expected = dh[0] * tanhCell[0] * o * (1 - o)
            #expect(swift[1][3 * h] == expected)
        }
    }
}
