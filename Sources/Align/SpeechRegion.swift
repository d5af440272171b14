import KaldiIO

/// The frames between the first and last that sound like speech, from log-Mel energy — used to
/// put a flat start's silences where the recording is quiet instead of a uniform share of it.
///
/// A frame's energy is the mean of its log-Mel values; frames more than `threshold` of the way
/// from the utterance's quiet level (10th percentile) to its loud level (90th percentile) count
/// as speech. Per-utterance and relative, so it does not depend on gain or CMVN.
public enum SpeechRegion {
    /// The default `threshold`, measured on the built-in corpus (0.05–0.3 give nearly the same flat start).
    public static let defaultThreshold: Float = 0.15

    public static func detect(_ features: Matrix, threshold: Float = defaultThreshold) -> Range<Int> {
        let frames = features.rows
        guard frames > 2 else { return 0..<frames }
        let energy = (0..<frames).map { t in features.row(t).reduce(0, +) / Float(features.columns) }
        let sorted = energy.sorted()
        let quiet = sorted[frames / 10], loud = sorted[frames * 9 / 10]
        guard loud - quiet > 1e-3 else { return 0..<frames }
        let level = quiet + threshold * (loud - quiet)
        guard let first = energy.firstIndex(where: { $0 > level }), let last = energy.lastIndex(where: { $0 > level }) else { return 0..<frames }
        return first..<(last + 1)
    }
}
