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
}
