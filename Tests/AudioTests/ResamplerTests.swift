import Audio
import Foundation
import ParrotTestSupport
import Testing

@Suite struct ResamplerTests {
    static func rms(_ x: ArraySlice<Float>) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    /// Steady-state RMS (skipping the filter's start-up and tail).
    static func steadyRMS(_ w: Waveform) -> Double {
        let n = w.samples.count
        return rms(w.samples[(n / 10)..<(n - n / 10)])
    }

    @Test func downsamplingRejectsTonesAboveTheNewNyquistByAtLeast80dB() throws {
        for frequency in [4_600.0, 5_500.0, 7_000.0] {
            let tone = Waveform(samples: WaveFile.tone(frequency: frequency, seconds: 1, sampleRate: 16000, amplitude: 30000), sampleRate: 16000)
            let out = try Resampler.resample(tone, to: 8000)
            let attenuation = 20 * log10(Self.steadyRMS(out) / Self.steadyRMS(tone))
            print("resampler 16→8 kHz: \(Int(frequency)) Hz tone attenuated by \(String(format: "%.1f", attenuation)) dB")
            #expect(attenuation <= -80, "\(frequency) Hz attenuated by only \(attenuation) dB")
        }
    }

    @Test func upsamplingCreatesNoImagesAboveTheOldNyquist() throws {
        // A 3 kHz tone at 8 kHz upsampled to 16 kHz: its image would be at 5 kHz.
        let tone = Waveform(samples: WaveFile.tone(frequency: 3000, seconds: 1, sampleRate: 8000, amplitude: 30000), sampleRate: 8000)
        let out = try Resampler.resample(tone, to: 16000)
        #expect(out.samples.count == 16000)
        // Project onto 5 kHz and 3 kHz sinusoids (a single DFT bin each).
        func magnitude(_ f: Double) -> Double {
            var re = 0.0, im = 0.0
            for (i, s) in out.samples.enumerated() where i >= 1600 && i < 14400 {
                re += Double(s) * cos(2 * .pi * f * Double(i) / 16000)
                im += Double(s) * sin(2 * .pi * f * Double(i) / 16000)
            }
            return (re * re + im * im).squareRoot()
        }
        let image = 20 * log10(magnitude(5000) / magnitude(3000))
        print("resampler 8→16 kHz: image at 5 kHz \(String(format: "%.1f", image)) dB below the 3 kHz tone")
        #expect(image <= -80, "image at 5 kHz only \(image) dB below the tone")
    }

    @Test func passbandToneKeepsItsAmplitude() throws {
        let tone = Waveform(samples: WaveFile.tone(frequency: 1000, seconds: 1, sampleRate: 8000, amplitude: 10000), sampleRate: 8000)
        let out = try Resampler.resample(tone, to: 16000)
        let gain = 20 * log10(Self.steadyRMS(out) / Self.steadyRMS(tone))
        #expect(abs(gain) < 0.01, "gain \(gain) dB")
    }

    @Test func sameRateIsIdentity() throws {
        let w = Waveform(samples: [1, 2, 3], sampleRate: 16000)
        #expect(try Resampler.resample(w, to: 16000) == w)
    }
}

@Suite struct ResamplerReuseTests {
    /// A converter reused across recordings must give each one exactly what a fresh converter gives.
    @Test func reusedConverterMatchesAFreshOne() throws {
        let a = Waveform(samples: WaveFile.tone(frequency: 440, seconds: 0.3, sampleRate: 8000, amplitude: 9000), sampleRate: 8000)
        let b = Waveform(samples: WaveFile.tone(frequency: 1250, seconds: 0.17, sampleRate: 8000, amplitude: 5000), sampleRate: 8000)
        let reused = Resampler()
        let first = try reused.resample(a, to: 16000)
        let second = try reused.resample(b, to: 16000)
        #expect(second == (try Resampler().resample(b, to: 16000)))
        #expect(first == (try Resampler().resample(a, to: 16000)))
        #expect(second.samples.count == 2 * b.samples.count)
    }
}
