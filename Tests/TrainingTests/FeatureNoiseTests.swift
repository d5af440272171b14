import Acoustic
import Audio
import Core
import Corpus
import Foundation
import Testing

/// `FeatureNoise` against noise added to the waveform itself (`parrot features --add-noise`).
@Suite struct FeatureNoiseTests {
    static var fbank: FbankOptions {
        var options = FbankOptions()
        options.sampleRate = 16_000
        options.melBinCount = 40
        return options
    }

    /// A speech-like test signal (16-bit scale): 2 s of a voiced sound on 140 Hz whose harmonics
    /// fall off as 1/k with a formant-like bump near 700 Hz, loudness rising and falling, with
    /// 0.4 s of near-silence in the middle. Its power is concentrated low, as speech's is, so a
    /// level estimate that ignored the filters' widths or the pre-emphasis would be far off.
    static var voiced: [Float] {
        let rate = 16_000.0
        return (0..<32_000).map { n -> Float in
            let t = Double(n) / rate
            if t > 0.8 && t < 1.2 { return Float(3 * sin(2 * .pi * 50 * t)) }
            var value = 0.0
            for k in 1...40 {
                let f = 140.0 * Double(k)
                guard f < 7_800 else { break }
                let formant = 1 + 3 * exp(-pow((f - 700) / 200, 2))
                value += formant / Double(k) * sin(2 * .pi * f * t + Double(k))
            }
            return Float(2_000 * value * (0.6 + 0.4 * sin(2 * .pi * 1.5 * t)))
        }
    }

    static func variance(_ samples: [Float]) -> Double {
        samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
    }

    /// White noise's level is read back from its features to within 2%; a speech-like signal's to
    /// within 0.5 dB, although pre-emphasis takes over 10 dB from its low harmonics.
    @Test func theLevelIsTheWaveformsVariance() throws {
        let computer = try FbankComputer(options: Self.fbank)
        let noise = try FeatureNoise(fbank: Self.fbank)
        var random = SeededGenerator(seed: 77)
        let white = (0..<24_000).map { _ in Float(3 * random.gaussian()) }
        let whiteLevel = noise.level(of: computer.compute(white))
        #expect(abs(whiteLevel / Self.variance(white) - 1) < 0.02, "white: \(whiteLevel) against \(Self.variance(white))")

        let voiced = Self.voiced
        let decibels = 10 * log10(noise.level(of: computer.compute(voiced)) / Self.variance(voiced))
        #expect(abs(decibels) < 0.5, "speech-like signal: level off by \(decibels) dB")
    }

    /// Noise added to the features matches noise added to the waveform at the same SNR: every
    /// bin's mean log energy within 0.25 (1.1 dB), and frames within 0.55 on average (the two
    /// noises are different draws), while the noise itself lifts the quiet frames by far more.
    @Test(arguments: [5.0, 10.0, 20.0])
    func featureNoiseMatchesWaveformNoise(snr: Double) throws {
        let computer = try FbankComputer(options: Self.fbank)
        let noise = try FeatureNoise(fbank: Self.fbank)
        let clean = Self.voiced
        var noisyWave = clean
        FeatureExtractionJob.addNoise(to: &noisyWave, snr: snr, seed: "utterance-1")
        let expected = computer.compute(noisyWave)
        let cleanFeatures = computer.compute(clean)
        let made = noise.apply(to: cleanFeatures, snr: snr, offset: 17)
        #expect(made.rows == expected.rows)

        var worstBin = 0.0, frameError = 0.0, quietChange = 0.0, quietCount = 0
        for b in 0..<40 {
            var difference = 0.0
            for t in 0..<made.rows { difference += Double(made[t, b]) - Double(expected[t, b]) }
            worstBin = max(worstBin, abs(difference / Double(made.rows)))
        }
        for t in 0..<made.rows {
            for b in 0..<40 { frameError += abs(Double(made[t, b]) - Double(expected[t, b])) }
            // Frames of the near-silence (0.8-1.2 s).
            if t > 82 && t < 118 { for b in 20..<40 { quietChange += Double(expected[t, b] - cleanFeatures[t, b]); quietCount += 1 } }
        }
        frameError /= Double(made.rows * 40)
        #expect(worstBin < 0.25, "SNR \(snr): a bin's mean log energy off by \(worstBin)")
        #expect(frameError < 0.55, "SNR \(snr): mean absolute difference \(frameError)")
        #expect(quietChange / Double(quietCount) > 3, "the noise should dominate the quiet frames")
    }

    /// Features of another dimension, and empty ones, come back unchanged; the same offset gives the same noise.
    @Test func otherFeaturesAreLeftAloneAndTheNoiseRepeats() throws {
        let noise = try FeatureNoise(fbank: Self.fbank)
        let other = Matrix(rows: 3, columns: 13)
        #expect(noise.apply(to: other, snr: 10) == other)
        #expect(noise.apply(to: Matrix(rows: 0, columns: 40), snr: 10).rows == 0)
        let features = try FbankComputer(options: Self.fbank).compute(Array(Self.voiced.prefix(8_000)))
        #expect(noise.apply(to: features, snr: 10, offset: 3) == noise.apply(to: features, snr: 10, offset: 3))
        #expect(noise.apply(to: features, snr: 10, offset: 3) != noise.apply(to: features, snr: 10, offset: 4))
        #expect(FeatureNoise.shared(for: Self.fbank)?.frameCount == noise.frameCount)
    }
}
