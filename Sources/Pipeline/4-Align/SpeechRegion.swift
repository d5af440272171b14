import Core
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
        guard let loud = loudFrames(features, threshold: threshold),
              let first = loud.firstIndex(of: true), let last = loud.lastIndex(of: true) else { return 0..<features.rows }
        return first..<(last + 1)
    }

    /// The stretches of speech between pauses: the speech region (`detect`) split wherever at
    /// least `minimumPause` frames run together below the stricter `pauseThreshold` (word tails
    /// and reverberation fill short pauses at the speech level). Stretches shorter than
    /// `minimumSpeech` frames are left out (clicks, breaths), unless nothing else is left.
    public static func segments(_ features: Matrix, threshold: Float = defaultThreshold, pauseThreshold: Float = 0.4,
                                minimumPause: Int = 10, minimumSpeech: Int = 5) -> [Range<Int>] {
        let region = detect(features, threshold: threshold)
        guard let loud = loudFrames(features, threshold: max(threshold, pauseThreshold)) else { return [region] }
        var segments = [Range<Int>]()
        var start = region.lowerBound, quietRun = 0
        for t in region {
            if loud[t] {
                if quietRun >= minimumPause || t - quietRun == start {
                    if t - quietRun > start { segments.append(start..<(t - quietRun)) }
                    start = t
                }
                quietRun = 0
            } else {
                quietRun += 1
            }
        }
        segments.append(start..<region.upperBound)
        let kept = segments.filter { $0.count >= minimumSpeech }
        return kept.isEmpty ? [region] : kept
    }

    /// Per frame, whether its energy is above the speech level; nil when the recording has no
    /// contrast between quiet and loud.
    private static func loudFrames(_ features: Matrix, threshold: Float) -> [Bool]? {
        let frames = features.rows
        guard frames > 2 else { return nil }
        let energy = (0..<frames).map { t in features.row(t).reduce(0, +) / Float(features.columns) }
        let sorted = energy.sorted()
        let quiet = sorted[frames / 10], loud = sorted[frames * 9 / 10]
        guard loud - quiet > 1e-3 else { return nil }
        let level = quiet + threshold * (loud - quiet)
        return energy.map { $0 > level }
    }
}
