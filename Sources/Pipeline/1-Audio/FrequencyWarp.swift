import Core
import Foundation

/// Vocal-tract-length perturbation of log-Mel features (Jaitly and Hinton's VTLP, applied to
/// the filterbank outputs instead of the spectrum): the spectrum is stretched by a factor α,
/// so a formant at f Hz moves to α·f, as in a speaker with a vocal tract 1/α times as long.
/// Bin b's new value is the old filterbank read at the Mel position of (its centre frequency)/α,
/// interpolated linearly between neighbouring bins and held at the edges. Training draws a
/// factor per utterance (perturbation); `decode` and `align` warp a speaker by the factor a
/// first pass fits best (normalisation: `SpeakerWarpSearch`, `FeatureSource.warped`).
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
                let p = sourcePositions[b], i = min(Int(p), bins - 2), w = Float(p - Double(i))
                out[t, b] = (1 - w) * features[t, i] + w * features[t, i + 1]
            }
        }
        return out
    }
}
