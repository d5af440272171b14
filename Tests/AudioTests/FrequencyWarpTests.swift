import Audio
import Core
import Foundation
import Testing

@Suite struct FrequencyWarpTests {
    /// Centre frequency of Mel bin `b` of 40 between 20 Hz and 8 kHz, from Kaldi's Mel scale
    /// written out here (1127 ln(1 + f/700)).
    static func centre(_ b: Int) -> Double {
        let low = 1127 * log(1 + 20.0 / 700), high = 1127 * log(1 + 8000.0 / 700)
        return 700 * (exp((low + Double(b + 1) * (high - low) / 41) / 1127) - 1)
    }

    static var fbank: FbankOptions {
        var options = FbankOptions()
        options.sampleRate = 16_000
        options.melBinCount = 40
        options.lowFrequencyHz = 20
        return options
    }

    /// A factor of 1 leaves every value as it was.
    @Test func factorOneIsTheIdentity() {
        var features = Matrix(rows: 0, columns: 40)
        var random = SeededGenerator(seed: 5)
        for _ in 0..<7 { features.appendRow((0..<40).map { _ in Float(random.gaussian()) }) }
        #expect(FrequencyWarp(factor: 1, fbank: Self.fbank).apply(to: features) == features)
    }

    /// A spectral peak (a formant) at bin k moves to the bin whose centre is nearest α times
    /// bin k's centre: up for α > 1 (a shorter vocal tract), down for α < 1.
    @Test(arguments: [(12, 1.1), (20, 1.1), (25, 0.9), (30, 0.92)])
    func aPeakMovesToTheBinOfItsStretchedFrequency(bin: Int, factor: Double) {
        var row = [Float](repeating: 0, count: 40)
        row[bin] = 10
        var features = Matrix(rows: 0, columns: 40)
        features.appendRow(row)
        let warped = FrequencyWarp(factor: factor, fbank: Self.fbank).apply(to: features)
        let peak = (0..<40).max { warped[0, $0] < warped[0, $1] }!
        let target = Self.centre(bin) * factor
        let nearest = (0..<40).min { abs(Self.centre($0) - target) < abs(Self.centre($1) - target) }!
        #expect(abs(peak - nearest) <= 1)
        #expect(peak != bin)
        // Linear interpolation keeps values within the input's range.
        #expect((0..<40).allSatisfy { warped[0, $0] >= 0 && warped[0, $0] <= 10 })
    }
}
