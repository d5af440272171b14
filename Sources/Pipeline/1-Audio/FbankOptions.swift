/// Settings of the log-Mel filterbank, with Kaldi's `compute-fbank-feats` defaults except dither (0).
public struct FbankOptions: Codable, Equatable, Sendable {
    /// Sample rate the audio is converted to before analysis, in Hz. Default 16,000.
    public var sampleRate: Int = 16_000
    /// Analysis window length in milliseconds. Default 25.
    public var frameLengthMilliseconds: Double = 25
    /// Hop between frames in milliseconds. Default 10.
    public var frameShiftMilliseconds: Double = 10
    /// Number of triangular Mel filters (the feature dimension). Default 40.
    public var melBinCount: Int = 40
    /// Lower edge of the first filter in Hz. Default 20.
    public var lowFrequencyHz: Double = 20
    /// Upper edge of the last filter in Hz; zero or negative means that far below Nyquist. Default 0 (Nyquist).
    public var highFrequencyHz: Double = 0
    /// Pre-emphasis coefficient: `x[i] -= k·x[i-1]`. Default 0.97.
    public var preemphasisCoefficient: Float = 0.97
    /// Subtract each frame's mean before pre-emphasis. Default true.
    public var removeDCOffset: Bool = true
    /// Window function applied to each frame. Default `.povey`.
    public var window: WindowType = .povey
    /// Kaldi's `--snip-edges`: only frames that fit entirely in the signal (true), or
    /// `round(samples / shift)` frames with reflected edges (false). Default true.
    public var snipEdges: Bool = true
    /// Zero-pad frames to the next power of two before the FFT. Default true.
    public var roundToPowerOfTwo: Bool = true
    /// Kaldi's `--dither`: Gaussian noise of this standard deviation (in 16-bit sample units)
    /// added to the signal, so stretches of digital silence get a noise floor instead of the
    /// filterbank's log floor. Deterministic (a fixed noise sequence). Nil or 0: none (default,
    /// as the golden comparisons with Kaldi use); Kaldi's own default is 1.
    public var dither: Float?

    public enum WindowType: String, Codable, CaseIterable, Sendable {
        case povey, hamming, hanning, rectangular, blackman
    }

    public init() {}

    /// Frame length in samples at `sampleRate` (Kaldi truncates).
    public var frameLengthSamples: Int { Int(Double(sampleRate) * 0.001 * frameLengthMilliseconds) }
    /// Frame shift in samples at `sampleRate`.
    public var frameShiftSamples: Int { Int(Double(sampleRate) * 0.001 * frameShiftMilliseconds) }
    /// FFT size: the frame length, rounded up to a power of two if requested.
    public var fftSize: Int {
        guard roundToPowerOfTwo else { return frameLengthSamples }
        var n = 1
        while n < frameLengthSamples { n <<= 1 }
        return n
    }
    /// Effective upper filter edge in Hz.
    public var effectiveHighFrequencyHz: Double {
        highFrequencyHz > 0 ? highFrequencyHz : Double(sampleRate) / 2 + highFrequencyHz
    }

    /// Checks the options are consistent.
    /// - Throws: `AudioError.invalidOptions` explaining which setting is wrong.
    public func validate() throws {
        guard sampleRate >= 1000 else { throw AudioError.invalidOptions(reason: "sample rate \(sampleRate) Hz is too low") }
        guard frameShiftSamples >= 1 else { throw AudioError.invalidOptions(reason: "frame shift \(frameShiftMilliseconds) ms is under one sample") }
        guard frameLengthSamples >= 2 else { throw AudioError.invalidOptions(reason: "frame length \(frameLengthMilliseconds) ms is under two samples") }
        guard melBinCount >= 3 else { throw AudioError.invalidOptions(reason: "need at least 3 Mel bins, got \(melBinCount)") }
        let nyquist = Double(sampleRate) / 2
        let high = effectiveHighFrequencyHz
        guard lowFrequencyHz >= 0, lowFrequencyHz < nyquist else {
            throw AudioError.invalidOptions(reason: "low frequency \(lowFrequencyHz) Hz must be in [0, \(nyquist)) Hz")
        }
        guard high > lowFrequencyHz, high <= nyquist else {
            throw AudioError.invalidOptions(reason: "high frequency \(high) Hz must be above the low frequency \(lowFrequencyHz) Hz and at most Nyquist (\(nyquist) Hz)")
        }
        guard (0...1).contains(preemphasisCoefficient) else {
            throw AudioError.invalidOptions(reason: "pre-emphasis coefficient must be in [0, 1]")
        }
    }
}
