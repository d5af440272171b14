import Audio
import Core
import Foundation

/// Vocal-tract-length perturbation of log-Mel features (Jaitly and Hinton's VTLP, applied to
/// the filterbank outputs instead of the spectrum): the spectrum is stretched by a factor α,
/// so a formant at f Hz moves to α·f, as in a speaker with a vocal tract 1/α times as long.
/// Bin b's new value is the old filterbank read at the Mel position of (its centre frequency)/α,
/// interpolated linearly between neighbouring bins and held at the edges.
public struct FrequencyWarp: Sendable {
    /// For each bin, the (fractional) bin whose value it takes.
    public let sourcePositions: [Double]

    /// The warp by `factor` of the filterbank `fbank` describes.
    public init(factor: Double, fbank: FbankOptions) {
        let low = MelFilterbank.mel(fbank.lowFrequencyHz), high = MelFilterbank.mel(fbank.effectiveHighFrequencyHz)
        let bins = fbank.melBinCount
        let delta = (high - low) / Double(bins + 1)
        sourcePositions = (0..<bins).map { b in
            let centre = MelFilterbank.hz(mel: low + Double(b + 1) * delta)
            var position = (MelFilterbank.mel(centre / factor) - low) / delta - 1
            // The round trip through Hz leaves an unwarped bin a hair off its own position.
            if abs(position - position.rounded()) < 1e-9 { position = position.rounded() }
            return min(max(position, 0), Double(bins - 1))
        }
    }

    /// `features` (`frames × bins`) as the warped speaker would have them.
    public func apply(to features: Matrix) -> Matrix {
        var out = features
        let bins = sourcePositions.count
        guard features.columns == bins else { return features }
        for t in 0..<features.rows {
            for b in 0..<bins {
                let (i, w) = neighbours(sourcePositions[b], count: bins)
                out[t, b] = (1 - w) * features[t, i] + w * features[t, i + 1]
            }
        }
        return out
    }
}

/// An utterance's frames as if it had been spoken `rate` times as fast: frame t of the result is
/// the original read at t·rate (interpolated linearly between frames, held at the end), and its
/// target is that of the nearest original frame.
public struct TempoPerturbation: Sendable {
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    /// `features` (`frames × D`) and their frame targets, resampled to ⌊frames / rate⌉ frames.
    public func apply(to features: Matrix, targets: [Int32]) -> (Matrix, [Int32]) {
        guard features.rows > 1, targets.count == features.rows else { return (features, targets) }
        let frames = max(1, Int((Double(features.rows) / rate).rounded()))
        var stretched = Matrix(rows: frames, columns: features.columns)
        var stretchedTargets = [Int32](repeating: 0, count: frames)
        for t in 0..<frames {
            let p = min(Double(t) * rate, Double(features.rows - 1))
            let (i, w) = neighbours(p, count: features.rows)
            for j in 0..<features.columns { stretched[t, j] = (1 - w) * features[i, j] + w * features[i + 1, j] }
            stretchedTargets[t] = targets[Int(p.rounded())]
        }
        return (stretched, stretchedTargets)
    }
}

/// Linear interpolation at fractional position `p` of `count` values (0 ≤ p ≤ count − 1, count ≥ 2):
/// the value is `(1 − w)·v[i] + w·v[i + 1]`.
private func neighbours(_ p: Double, count: Int) -> (i: Int, w: Float) {
    let i = min(Int(p), count - 2)
    return (i, Float(p - Double(i)))
}
