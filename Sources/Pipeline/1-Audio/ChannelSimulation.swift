import Core
import Foundation

/// Recording conditions simulated on clean speech, for training copies (`parrot features
/// --reverb`, `--telephone`): a room, and a telephone line.
public enum ChannelSimulation {
    /// A room impulse response at `sampleRate` with reverberation time `rt60` seconds (the time
    /// the reverberant energy takes to fall by 60 dB), by the statistical model of a diffuse
    /// field: the direct sound (1 at lag 0, so speech keeps its timing), then from 2 ms on
    /// Gaussian noise under the exponential envelope `10^(-3t/rt60)`, scaled so that the
    /// reverberant energy is `directToReverberantDecibels` below the direct sound's. `rt60`
    /// seconds long; the noise is drawn from `seed`.
    public static func roomImpulseResponse(rt60: Double, sampleRate: Int, directToReverberantDecibels: Double = 3, seed: UInt64) -> [Float] {
        let count = max(2, Int(rt60 * Double(sampleRate)))
        let onset = min(count - 1, max(1, sampleRate / 500))
        var random = SeededGenerator(seed: seed)
        var response = [Float](repeating: 0, count: count)
        var energy = 0.0
        for n in onset..<count {
            let t = Double(n) / Double(sampleRate)
            let value = random.gaussian() * pow(10, -3 * t / rt60)
            response[n] = Float(value)
            energy += value * value
        }
        let gain = (pow(10, -directToReverberantDecibels / 10) / max(energy, 1e-30)).squareRoot()
        for n in onset..<count { response[n] *= Float(gain) }
        response[0] = 1
        return response
    }

    /// `samples` as heard in a room of reverberation time `rt60`: convolved with its impulse
    /// response, cut to the original length, at the original RMS level.
    public static func reverberate(_ samples: [Float], sampleRate: Int, rt60: Double, seed: UInt64) -> [Float] {
        guard !samples.isEmpty else { return samples }
        let response = roomImpulseResponse(rt60: rt60, sampleRate: sampleRate, seed: seed)
        let wet = FFTConvolution.convolve(samples, response, length: samples.count)
        return matchingLevel(wet, of: samples)
    }

    /// `samples` as a telephone line passes them: band-limited to 300–3,400 Hz (resampled to
    /// 8 kHz, which removes everything above 4 kHz with soxr's steep filter, then a second-order
    /// Butterworth high-pass at 300 Hz and a low-pass at 3,400 Hz), through 8-bit μ-law (G.711)
    /// at a level whose peak is 6 dB below full scale, and back at `sampleRate` and the original RMS level.
    public static func telephone(_ samples: [Float], sampleRate: Int, resampler: Resampler, path: String = "") throws -> [Float] {
        guard !samples.isEmpty else { return samples }
        var narrow = try resampler.resample(Waveform(samples: samples, sampleRate: sampleRate), to: 8000, path: path).samples
        var highPass = Biquad.butterworth(highPass: true, cutoff: 300, sampleRate: 8000)
        var lowPass = Biquad.butterworth(highPass: false, cutoff: 3400, sampleRate: 8000)
        for i in narrow.indices { narrow[i] = lowPass.process(highPass.process(narrow[i])) }
        let peak = narrow.reduce(Float(0)) { max($0, abs($1)) }
        if peak > 0 {
            let scale = 0.5 / peak
            for i in narrow.indices { narrow[i] = muLawRoundTrip(narrow[i] * scale) / scale }
        }
        let wide = try resampler.resample(Waveform(samples: narrow, sampleRate: 8000), to: sampleRate, path: path).samples
        return matchingLevel(Array(wide.prefix(samples.count)) + [Float](repeating: 0, count: max(0, samples.count - wide.count)), of: samples)
    }

    /// `x` in -1…1 through 8-bit μ-law (μ = 255) and back: the quantisation G.711 telephony applies.
    public static func muLawRoundTrip(_ x: Float) -> Float {
        let mu: Float = 255
        let clipped = min(1, max(-1, x))
        let compressed = (clipped < 0 ? -1 : 1) * log1p(mu * abs(clipped)) / log1p(mu)
        let level = (compressed * 127.5).rounded(.down) + 0.5   // 256 levels, mid-riser
        let y = level / 127.5
        return (y < 0 ? -1 : 1) * (pow(1 + mu, abs(y)) - 1) / mu
    }

    private static func matchingLevel(_ processed: [Float], of original: [Float]) -> [Float] {
        func rms(_ x: [Float]) -> Double { (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count))).squareRoot() }
        let target = rms(original), actual = rms(processed)
        guard actual > 0 else { return processed }
        let gain = Float(target / actual)
        return processed.map { $0 * gain }
    }
}

/// A second-order IIR section (direct form I).
struct Biquad {
    var b0: Float, b1: Float, b2: Float, a1: Float, a2: Float
    private var x1: Float = 0, x2: Float = 0, y1: Float = 0, y2: Float = 0

    init(b0: Float, b1: Float, b2: Float, a1: Float, a2: Float) {
        (self.b0, self.b1, self.b2, self.a1, self.a2) = (b0, b1, b2, a1, a2)
    }

    /// A Butterworth (Q = 1/√2) high- or low-pass at `cutoff` Hz, by the bilinear transform.
    static func butterworth(highPass: Bool, cutoff: Double, sampleRate: Int) -> Biquad {
        let w = 2 * Double.pi * cutoff / Double(sampleRate)
        let alpha = sin(w) / (2 * 0.5.squareRoot())
        let c = cos(w)
        let a0 = 1 + alpha
        let b0 = highPass ? (1 + c) / 2 : (1 - c) / 2
        let b1 = highPass ? -(1 + c) : 1 - c
        return Biquad(b0: Float(b0 / a0), b1: Float(b1 / a0), b2: Float(b0 / a0), a1: Float(-2 * c / a0), a2: Float((1 - alpha) / a0))
    }

    mutating func process(_ x: Float) -> Float {
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        (x2, x1, y2, y1) = (x1, x, y1, y)
        return y
    }
}
