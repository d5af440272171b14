import Foundation
@testable import Audio
import Testing
import Audio

@Suite struct MelFilterbankTests {
    @Test func melScaleIsKaldis() {
        #expect(abs(MelFilterbank.mel(700) - 1127 * log(2.0)) < 1e-9)
        #expect(MelFilterbank.mel(0) == 0)
    }

    /// Recomputes every weight by brute force from the triangle definition and compares.
    @Test func weightsAreTrianglesOnTheMelScale() throws {
        var options = FbankOptions()
        options.sampleRate = 16000
        options.melBinCount = 10
        let bank = try MelFilterbank(options: options)
        let melLow = MelFilterbank.mel(20), melHigh = MelFilterbank.mel(8000)
        let delta = (melHigh - melLow) / 11
        for b in 0..<10 {
            for k in 0..<256 {
                let m = MelFilterbank.mel(Double(k) * 16000 / 512)
                let left = melLow + Double(b) * delta, centre = left + delta, right = centre + delta
                var expected = 0.0
                if m > left && m < right { expected = m <= centre ? (m - left) / delta : (right - m) / delta }
                let i = k - bank.firstBin[b]
                let actual = i >= 0 && i < bank.weights[b].count ? Double(bank.weights[b][i]) : 0
                #expect(abs(actual - expected) < 1e-6, "bin \(b), FFT bin \(k)")
            }
        }
    }

    /// A pure tone puts its energy in the Mel bin whose centre is nearest its frequency.
    @Test func toneLandsInTheRightMelBin() throws {
        var options = FbankOptions()
        options.sampleRate = 16000
        let samples = (0..<16000).map { Float(10000 * sin(2 * Double.pi * 1000 * Double($0) / 16000)) }
        let features = try FbankComputer(options: options).compute(samples)
        let row = Array(features.row(50))
        let loudest = row.indices.max { row[$0] < row[$1] }!
        let melLow = MelFilterbank.mel(20), delta = (MelFilterbank.mel(8000) - melLow) / 41
        let centres = (0..<40).map { melLow + Double($0 + 1) * delta }
        let nearest = centres.indices.min { abs(centres[$0] - MelFilterbank.mel(1000)) < abs(centres[$1] - MelFilterbank.mel(1000)) }!
        #expect(loudest == nearest)
    }
}

@Suite struct DitherTests {
    /// Digital silence: without dither every bin sits at the log floor; with Kaldi's dither 1 it
    /// gets the level of unit-variance noise (about log of the window energy: 25 ms at 8 kHz,
    /// 200 samples, spread over the filters), the same on every run.
    @Test func ditherGivesDigitalSilenceANoiseFloor() throws {
        var options = FbankOptions()
        options.sampleRate = 8000
        let silence = [Float](repeating: 0, count: 8000)
        let plain = try FbankComputer(options: options).compute(silence)
        #expect(plain.values.allSatisfy { $0 < -15 }, "log floor without dither")
        options.dither = 1
        let dithered = try FbankComputer(options: options).compute(silence)
        let mean = dithered.values.reduce(0, +) / Float(dithered.values.count)
        // Unit white noise: expected power in FFT bin k = Σ window² (≈ 0.4 × 200 samples for the
        // Povey window) × the pre-emphasis gain |1 − 0.97 e^{−iω}|² (≈ 0 at DC, 3.9 at Nyquist),
        // summed over the one to six bins a filter spans: logs from about 0 (lowest filters) to
        // about 7 (highest), so a mean of a few units.
        #expect(mean > 3 && mean < 8, "mean log-Mel of dithered silence \(mean)")
        #expect(try FbankComputer(options: options).compute(silence) == dithered)
    }
}
