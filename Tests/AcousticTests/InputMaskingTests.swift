import Acoustic
import Core
import KaldiIO
import Testing

@Suite struct InputMaskingTests {
    /// Masked values are exactly the chosen bands (in every spliced copy) and whole frames; the
    /// rest is untouched.
    @Test func masksWholeBandsInEverySplicedCopyAndWholeFrames() {
        let frames = 50, bins = 10, splice = 1, width = bins * 3
        let original = (0..<(frames * width)).map { Float($0 % 97) + 1 }   // no zeros
        for seed in UInt64(1)...20 {
            var values = original
            var random = SeededGenerator(seed: seed)
            InputMasking(frequencyWidth: 3, timeWidth: 4, splice: splice).apply(to: &values, frames: frames, random: &random)
            let maskedFrames = (0..<frames).filter { t in (0..<width).allSatisfy { values[t * width + $0] == 0 } }
            #expect(maskedFrames.count <= 2 * 4)
            let open = (0..<frames).filter { !maskedFrames.contains($0) }
            // In unmasked frames, a bin is masked in all three copies or in none, and at most 2 × 3 bins are.
            var maskedBins = Set<Int>()
            for t in open {
                for j in 0..<bins {
                    let zeros = (0..<3).filter { values[t * width + $0 * bins + j] == 0 }.count
                    #expect(zeros == 0 || zeros == 3)
                    if zeros == 3 { maskedBins.insert(j) }
                }
            }
            #expect(maskedBins.count <= 6)
            for t in open {
                for i in 0..<width where !maskedBins.contains(i % bins) { #expect(values[t * width + i] == original[t * width + i]) }
                for j in maskedBins { #expect(values[t * width + j] == 0) }
            }
        }
        var untouched = original
        var random = SeededGenerator(seed: 1)
        InputMasking(frequencyWidth: 0, timeWidth: 0).apply(to: &untouched, frames: frames, random: &random)
        #expect(untouched == original)
    }
}
