import Core
import Foundation

/// Vocal-tract-length normalisation at test time, by search: each speaker's features are read
/// warped by every factor of a grid (`FeatureSource.warped`), a first pass scores them, and the
/// speaker keeps the factor its speech scores best with. Kaldi's VTLN picks a speaker's factor by
/// the likelihood of a first pass's alignment in the same way; here the score is how sure the
/// network is of that pass's phones (`Score`), because a network's scaled likelihoods also
/// reward what only silence gains. A factor's score is its mean posterior averaged with its
/// neighbours' (`smoothed`): on a sample of a speaker's speech the means are noisy, and a lone
/// peak, typically at a far warp where the network is sure of the wrong words, should not beat a
/// broad maximum.
public struct SpeakerWarpSearch {
    /// The factors tried, in increasing order (a formant at f Hz read at factor·f Hz).
    public var factors: [Double] = (0...6).map { 0.88 + 0.04 * Double($0) }
    /// Frames of a speaker scored at each factor at most (two minutes): an even spread of its
    /// utterances beyond that.
    public var maximumFrames = 12_000
    /// A speaker with less speech than this (20 s) keeps factor 1.
    public var minimumFrames = 2_000
    /// Utterances longer than this (a minute) are not scored: a long recording is aligned in
    /// pieces, which a first pass at every factor would not be. They are warped all the same.
    public var longestUtterance = 6_000

    public init() {}

    /// An utterance's first pass at one factor: the posteriors of its hypothesis's speech frames
    /// (silence left out), summed, and their number.
    public struct Score: Sendable {
        public var posteriors: Double
        public var frames: Int

        public init(posteriors: Double, frames: Int) {
            self.posteriors = posteriors
            self.frames = frames
        }

        /// The mean posterior; 0 without speech frames.
        public var mean: Double { frames > 0 ? posteriors / Double(frames) : 0 }
    }

    /// A speaker's search: the factor chosen and the mean posterior at every factor tried.
    public struct Choice: Sendable {
        public var factor: Double
        public var scores: [(factor: Double, mean: Double)]
    }

    /// Each mean weighted ½ and its neighbours' ¼ each, divided by the weights present (a factor at
    /// the end of the grid: ⅔ its own, ⅓ its one neighbour's).
    public static func smoothed(_ means: [Double]) -> [Double] {
        means.indices.map { i in
            var sum = 0.5 * means[i], weight = 0.5
            for j in [i - 1, i + 1] where means.indices.contains(j) {
                sum += 0.25 * means[j]
                weight += 0.25
            }
            return sum / weight
        }
    }

    /// The utterances of each speaker to score: those with stored features of up to
    /// `longestUtterance` frames, every k-th beyond `maximumFrames`; speakers with less than
    /// `minimumFrames` of them are left out.
    public func sample(_ source: FeatureSource, keys: [String]? = nil) -> [String: [String]] {
        var bySpeaker = [String: [(key: String, frames: Int)]]()
        for key in keys ?? source.keys {
            guard let frames = source.features.rows(of: key), frames > 0, frames <= longestUtterance else { continue }
            bySpeaker[source.speaker(of: key), default: []].append((key, frames))
        }
        var sample = [String: [String]]()
        for (speaker, utterances) in bySpeaker {
            let total = utterances.reduce(0) { $0 + $1.frames }
            guard total >= minimumFrames else { continue }
            let stride = (total + maximumFrames - 1) / maximumFrames
            sample[speaker] = utterances.enumerated().filter { $0.offset % stride == 0 }.map(\.element.key)
        }
        return sample
    }

    /// Each sampled speaker's choice. `score` runs the first pass over the given utterances of
    /// the given (warped) source and returns their scores; an utterance it leaves out counts for
    /// nothing. A factor's mean is over a speaker's speech frames; the factor whose mean, smoothed
    /// with its neighbours', is highest wins; ties go to the factor nearer 1 (then the smaller).
    public func run(_ source: FeatureSource, keys: [String]? = nil,
                    score: (FeatureSource, [String]) throws -> [String: Score]) rethrows -> [String: Choice] {
        let sample = sample(source, keys: keys)
        guard !sample.isEmpty, source.isWarpable else { return [:] }
        let speakers = sample.keys.sorted(by: cLocaleLess)
        let utterances = speakers.flatMap { sample[$0]! }
        var table = [String: [(factor: Double, mean: Double)]]()
        for factor in factors {
            let scores = try score(source.warped(Dictionary(uniqueKeysWithValues: speakers.map { ($0, factor) })), utterances)
            for speaker in speakers {
                var total = Score(posteriors: 0, frames: 0)
                for key in sample[speaker]! {
                    guard let s = scores[key] else { continue }
                    total.posteriors += s.posteriors
                    total.frames += s.frames
                }
                table[speaker, default: []].append((factor, total.mean))
            }
        }
        var choices = [String: Choice]()
        for (speaker, scores) in table {
            let smoothed = Self.smoothed(scores.map(\.mean))
            let best = scores.indices.max { a, b in
                if smoothed[a] != smoothed[b] { return smoothed[a] < smoothed[b] }
                let (da, db) = (abs(scores[a].factor - 1), abs(scores[b].factor - 1))
                return da != db ? da > db : scores[a].factor > scores[b].factor
            }!
            choices[speaker] = Choice(factor: scores[best].factor, scores: scores)
        }
        return choices
    }
}
