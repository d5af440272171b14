import Acoustic
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

@Suite struct TempoPerturbationTests {
    /// Five frames 0…4 (targets a a b b c): at twice the speed, frames 0, 2, 4; at half the
    /// speed, ten frames stepping by a half (the last held), targets of the nearest frame
    /// (halves round up).
    @Test func framesAreResampledAndTargetsFollowTheNearestFrame() {
        var features = Matrix(rows: 0, columns: 2)
        for t in 0..<5 { features.appendRow([Float(t), Float(10 * t)]) }
        let targets: [Int32] = [0, 0, 1, 1, 2]
        let (fast, fastTargets) = TempoPerturbation(rate: 2).apply(to: features, targets: targets)
        #expect(fast.rows == 3)
        #expect((0..<3).map { fast[$0, 0] } == [0, 2, 4] && (0..<3).map { fast[$0, 1] } == [0, 20, 40])
        #expect(fastTargets == [0, 1, 2])
        let (slow, slowTargets) = TempoPerturbation(rate: 0.5).apply(to: features, targets: targets)
        #expect(slow.rows == 10)
        #expect((0..<10).map { slow[$0, 0] } == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4])
        #expect(slowTargets == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
        let (same, sameTargets) = TempoPerturbation(rate: 1).apply(to: features, targets: targets)
        #expect(same == features && sameTargets == targets)
    }
}
