import Audio
import Core
import Foundation

/// White noise added to log-Mel features, as `parrot features --add-noise` adds it to the
/// waveform: Gaussian noise `snr` dB below the utterance's level (the RMS of the whole recording).
///
/// Energies add within a Mel filter (the cross terms of speech and noise average out over the
/// filter's FFT bins), so a noisy frame is `log(exp(x) + n)`, where `n` is a frame of the
/// filterbank's output for white noise. Those frames are measured once, by running the filterbank
/// over seeded noise, so the added noise fluctuates from frame to frame as real noise does.
///
/// The utterance's level is estimated from its features alone: a bin's energy divided by the
/// bin's mean output for unit white noise is the spectrum's level under that filter, relative to
/// white noise, and these levels averaged with each filter's width as weight give the variance of
/// the waveform. That is exact for white noise and close for speech; `FeatureNoiseTests` compares
/// the result with noise added to the waveform.
public struct FeatureNoise: Sendable {
    /// Mel energies (not logged) of unit-variance white noise, frame after frame.
    let noiseFrames: Matrix
    /// Mean of `noiseFrames` in each bin.
    let response: [Double]
    /// Each filter's share of the summed filter widths.
    let widths: [Double]

    /// The noise for features made with `fbank` (its dither left out: it would be noise twice).
    public init(fbank: FbankOptions) throws {
        var options = fbank
        options.dither = nil
        let computer = try FbankComputer(options: options)
        var random = SeededGenerator(seed: 0x0015_E000_0001)
        let samples = (0..<(options.sampleRate * 4)).map { _ in Float(random.gaussian()) }
        var frames = computer.compute(samples)
        for i in frames.values.indices { frames.values[i] = Foundation.exp(frames.values[i]) }
        noiseFrames = frames
        response = (0..<frames.columns).map { b in (0..<frames.rows).reduce(0.0) { $0 + Double(frames[$1, b]) } / Double(frames.rows) }
        let sums = try MelFilterbank(options: options).weightSums
        let total = sums.reduce(0, +)
        widths = sums.map { $0 / total }
    }

    /// The noise for `fbank`, measured once per process and shared (nil when the options are invalid).
    public static func shared(for fbank: FbankOptions) -> FeatureNoise? {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let hit = cache.first(where: { $0.fbank == fbank }) { return hit.noise }
        guard let noise = try? FeatureNoise(fbank: fbank) else { return nil }
        cache.append((fbank, noise))
        return noise
    }
    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache = [(fbank: FbankOptions, noise: FeatureNoise)]()

    /// Feature dimension (Mel bins).
    public var dimension: Int { response.count }

    /// Frames of noise measured; `apply`'s offset is taken modulo this.
    public var frameCount: Int { noiseFrames.rows }

    /// The variance of the waveform behind log-Mel features `raw` (`frames × bins`), estimated
    /// from the features (in the units of the samples the filterbank read, squared).
    public func level(of raw: Matrix) -> Double {
        guard raw.rows > 0, raw.columns == dimension else { return 0 }
        return level(energies: raw.values.map { Foundation.exp(Double($0)) }, frames: raw.rows)
    }

    /// `level(of:)` from the features' energies (`frames × bins`, not logged).
    private func level(energies: [Double], frames: Int) -> Double {
        var sum = 0.0
        for t in 0..<frames {
            for b in 0..<dimension { sum += energies[t * dimension + b] / response[b] * widths[b] }
        }
        return sum / Double(frames)
    }

    /// `raw` with white noise `snr` dB below its level; the noise's frames are read from frame
    /// `offset` of the measured noise on (cycling). Features of another dimension come back unchanged.
    public func apply(to raw: Matrix, snr: Double, offset: Int = 0) -> Matrix {
        guard raw.rows > 0, raw.columns == dimension else { return raw }
        let energies = raw.values.map { Foundation.exp(Double($0)) }
        let variance = level(energies: energies, frames: raw.rows) * pow(10, -snr / 10)
        var out = raw
        for t in 0..<raw.rows {
            let n = (offset + t) % noiseFrames.rows
            for b in 0..<dimension {
                out[t, b] = Float(Foundation.log(energies[t * dimension + b] + variance * Double(noiseFrames[n, b])))
            }
        }
        return out
    }
}
