import Foundation

/// Triangular filters equally spaced on Kaldi's Mel scale, `mel(f) = 1127 · ln(1 + f / 700)`.
///
/// Filter `b` rises from `mel_low + b·Δ` to its centre `mel_low + (b+1)·Δ` and falls to
/// `mel_low + (b+2)·Δ`, with `Δ = (mel_high − mel_low) / (bins + 1)`; FFT bin `k` (frequency
/// `k · rate / fftSize`, for `k < fftSize/2`) gets the triangle's value at `mel(f)`.
/// Weights are stored sparsely: each filter's first FFT bin and its run of non-zero weights.
public struct MelFilterbank: Sendable {
    /// First FFT bin with a non-zero weight, per filter.
    let firstBin: [Int]
    /// Non-zero weights, per filter.
    let weights: [[Float]]
    /// All filters' weights back to back, and where each filter's run starts in it (hot path).
    private let packedWeights: [Float]
    private let packedStart: [Int]

    /// Number of filters.
    public var binCount: Int { weights.count }

    /// Each filter's weights summed: its width in FFT bins, as a triangle of height 1 measures it.
    public var weightSums: [Double] { weights.map { $0.reduce(0) { $0 + Double($1) } } }

    /// Kaldi's Mel scale.
    public static func mel(_ hz: Double) -> Double { 1127.0 * log(1.0 + hz / 700.0) }

    /// The frequency in Hz of a point of Kaldi's Mel scale (the inverse of `mel`).
    public static func hz(mel: Double) -> Double { 700.0 * (exp(mel / 1127.0) - 1.0) }

    /// - Throws: `AudioError.invalidOptions` when a filter would cover no FFT bin (too many bins for the FFT size).
    public init(options: FbankOptions) throws {
        let fftBins = options.fftSize / 2
        let binWidth = Double(options.sampleRate) / Double(options.fftSize)
        let melLow = MelFilterbank.mel(options.lowFrequencyHz)
        let melHigh = MelFilterbank.mel(options.effectiveHighFrequencyHz)
        let delta = (melHigh - melLow) / Double(options.melBinCount + 1)
        var firstBin = [Int]()
        var weights = [[Float]]()
        for b in 0..<options.melBinCount {
            let left = melLow + Double(b) * delta
            let center = melLow + Double(b + 1) * delta
            let right = melLow + Double(b + 2) * delta
            var first = -1
            var w = [Float]()
            for k in 0..<fftBins {
                let m = MelFilterbank.mel(binWidth * Double(k))
                if m > left && m < right {
                    let value = m <= center ? (m - left) / (center - left) : (right - m) / (right - center)
                    if first < 0 { first = k }
                    // Fill any gap (cannot happen for a triangle, but keeps the run contiguous).
                    while first + w.count < k { w.append(0) }
                    w.append(Float(value))
                }
            }
            guard first >= 0 else {
                throw AudioError.invalidOptions(reason: "Mel bin \(b) covers no FFT bin: too many bins (\(options.melBinCount)) for a \(options.fftSize)-point FFT between \(options.lowFrequencyHz) and \(options.effectiveHighFrequencyHz) Hz")
            }
            firstBin.append(first)
            weights.append(w)
        }
        self.firstBin = firstBin
        self.weights = weights
        packedWeights = weights.flatMap { $0 }
        packedStart = weights.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    }

    /// Filter energies of one power spectrum.
    /// - Parameters:
    ///   - power: `fftSize/2 + 1` power values.
    ///   - out: `binCount` values, receive `max(energy, ε)` logged when `logarithm` is set.
    func apply(power: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, logarithm: Bool) {
        packedWeights.withUnsafeBufferPointer { w in
            packedStart.withUnsafeBufferPointer { starts in
                firstBin.withUnsafeBufferPointer { first in
                    for b in 0..<out.count {
                        let sum = VectorKernels.dot(w.baseAddress! + starts[b], power.baseAddress! + first[b], starts[b + 1] - starts[b])
                        out[b] = max(sum, Float.ulpOfOne)
                    }
                }
            }
        }
        if logarithm { FastLog.logInPlace(out) }
    }
}
