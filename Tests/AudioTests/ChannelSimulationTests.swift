@testable import Audio
import Foundation
import Core
import Testing

/// Room and telephone simulation for training copies, against direct computation.
@Suite struct ChannelSimulationTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.gaussian()) }
    }

    @Test(arguments: [(37, 11), (1000, 300), (5, 1)]) func fftConvolutionIsTheDirectSum(lengths: (Int, Int)) {
        let x = Self.random(lengths.0, seed: 1), h = Self.random(lengths.1, seed: 2)
        let fast = FFTConvolution.convolve(x, h)
        #expect(fast.count == x.count + h.count - 1)
        for n in fast.indices {
            var direct = 0.0
            for k in h.indices where n - k >= 0 && n - k < x.count { direct += Double(h[k]) * Double(x[n - k]) }
            #expect(abs(Double(fast[n]) - direct) < 1e-3, "sample \(n): \(fast[n]) against \(direct)")
        }
        #expect(FFTConvolution.convolve(x, h, length: 7) == Array(fast.prefix(7)))
    }

    /// The direct sound at lag 0, silence for 2 ms, then a tail 3 dB below the direct sound in
    /// energy that falls 60 dB per RT60: 10 dB every 0.1 s for RT60 = 0.6 s.
    @Test func theRoomResponseDecaysAsItsReverberationTimeSays() {
        let rate = 16000
        let response = ChannelSimulation.roomImpulseResponse(rt60: 0.6, sampleRate: rate, seed: 7)
        #expect(response.count == 9600 && response[0] == 1)
        #expect(response[1..<32].allSatisfy { $0 == 0 })
        let tail = response.dropFirst().reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(10 * log10(tail) - -3) < 0.01)
        func energy(_ from: Double, _ to: Double) -> Double {
            response[Int(from * Double(rate))..<Int(to * Double(rate))].reduce(0.0) { $0 + Double($1) * Double($1) }
        }
        for start in [0.05, 0.15, 0.25] {
            let drop = 10 * log10(energy(start, start + 0.1) / energy(start + 0.1, start + 0.2))
            #expect(abs(drop - 10) < 1.5, "from \(start) s: \(drop) dB per 0.1 s")
        }
        #expect(ChannelSimulation.roomImpulseResponse(rt60: 0.6, sampleRate: rate, seed: 7) == response)
    }

    @Test func reverberationKeepsLengthAndLevelAndAnImpulseGivesTheResponse() {
        var impulse = [Float](repeating: 0, count: 4000)
        impulse[0] = 1000
        let heard = ChannelSimulation.reverberate(impulse, sampleRate: 16000, rt60: 0.3, seed: 3)
        let response = ChannelSimulation.roomImpulseResponse(rt60: 0.3, sampleRate: 16000, seed: 3)
        #expect(heard.count == impulse.count)
        let gain = heard[0] / response[0]
        for n in 0..<4000 { #expect(abs(heard[n] - gain * response[n]) < 1e-3 * abs(gain), "sample \(n)") }
        func rms(_ x: [Float]) -> Double { (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot() }
        #expect(abs(rms(heard) / rms(impulse) - 1) < 1e-4)
    }

    /// Amplitude of the `frequency` component of `x` (one DFT bin).
    static func amplitude(_ x: [Float], frequency: Double, rate: Double) -> Double {
        var re = 0.0, im = 0.0
        for (n, v) in x.enumerated() {
            re += Double(v) * cos(2 * .pi * frequency * Double(n) / rate)
            im += Double(v) * sin(2 * .pi * frequency * Double(n) / rate)
        }
        return 2 * (re * re + im * im).squareRoot() / Double(x.count)
    }

    /// A telephone passes 1 kHz, cuts 100 Hz (below its 300 Hz edge) and removes 6 kHz.
    @Test func aTelephoneLinePassesTheVoiceBandOnly() throws {
        let rate = 16000.0
        let mix = (0..<16000).map { n -> Float in
            let t = Double(n) / rate
            return Float(3000 * (sin(2 * .pi * 100 * t) + sin(2 * .pi * 1000 * t) + sin(2 * .pi * 6000 * t)))
        }
        let line = try ChannelSimulation.telephone(mix, sampleRate: 16000, resampler: Resampler())
        #expect(line.count == mix.count)
        // The middle second half, away from the filters' start-up.
        let middle = Array(line[4000..<12000])
        let voice = Self.amplitude(middle, frequency: 1000, rate: rate)
        let hum = Self.amplitude(middle, frequency: 100, rate: rate)
        let hiss = Self.amplitude(middle, frequency: 6000, rate: rate)
        #expect(20 * log10(voice / hum) > 15, "100 Hz only \(20 * log10(voice / hum)) dB below 1 kHz")
        #expect(20 * log10(voice / hiss) > 40, "6 kHz only \(20 * log10(voice / hiss)) dB below 1 kHz")
    }

    /// 8-bit μ-law keeps about 2% relative precision over the whole range and is monotonic.
    @Test func muLawQuantisationIsFineAndMonotonic() {
        var previous = -Float.infinity
        for i in 0...2000 {
            let x = Float(i - 1000) / 1000
            let y = ChannelSimulation.muLawRoundTrip(x)
            #expect(y >= previous)
            previous = y
            if abs(x) >= 0.01 { #expect(abs(y - x) <= 0.04 * abs(x), "\(x) → \(y)") }
        }
    }
}
