/// A labelled run of frames: `[start, end)`.
public struct AlignedSegment: Equatable, Codable, Sendable {
    public var label: String
    public var start: Int
    public var end: Int

    public init(label: String, start: Int, end: Int) {
        self.label = label
        self.start = start
        self.end = end
    }
}

/// The alignment of one utterance.
public struct UtteranceAlignment: Equatable, Sendable {
    public var utterance: String
    /// Class of every frame (training targets).
    public var frameClasses: [Int32]
    /// Phones, silence labelled `SIL`, tiling all frames.
    public var phones: [AlignedSegment]
    /// Words only (silences are the gaps).
    public var words: [AlignedSegment]
    /// Best-path score (sum of per-frame log-scores).
    public var score: Double
    /// Boundary times in seconds that replace the frame grid's, keyed by the frame the boundary
    /// precedes (set by a `BoundaryRefiner`); empty for times on the grid.
    public var refinedBoundaries: [Int: Double] = [:]
    /// Where boundaries fall between the frame grid's points, in frames from the grid's boundary
    /// (−0.5 to 0.5: from the centre of the frame before to the centre of the frame after), keyed
    /// by the frame the boundary precedes (set by `ForcedAligner` where the scores of the two
    /// classes cross between those centres); a boundary not listed is on the grid.
    public var boundaryShifts: [Int: Double] = [:]
    public var frames: Int { frameClasses.count }

    public init(utterance: String, frameClasses: [Int32], phones: [AlignedSegment], words: [AlignedSegment], score: Double) {
        self.utterance = utterance
        self.frameClasses = frameClasses
        self.phones = phones
        self.words = words
        self.score = score
    }
}

extension UtteranceAlignment {
    /// The phone and word segments of a Viterbi path through `graph`: each run of frames in one
    /// graph unit is a phone (labelled from `labels`), each run in one word's units a word.
    public init(utterance: String, path: ViterbiPath, graph: AlignmentGraph, words: [String], labels: [String]) {
        var phones = [AlignedSegment]()
        var wordSegments = [AlignedSegment]()
        var classes = [Int32]()
        classes.reserveCapacity(path.units.count)
        for (t, u) in path.units.enumerated() {
            let unit = graph.units[u]
            classes.append(Int32(unit.phone))
            if t > 0 && path.units[t - 1] == u {
                phones[phones.count - 1].end = t + 1
            } else {
                phones.append(AlignedSegment(label: labels[unit.phone], start: t, end: t + 1))
            }
            guard let w = unit.word else { continue }
            if let last = wordSegments.last, t > 0, let previousWord = graph.units[path.units[t - 1]].word, previousWord == w, last.end == t {
                wordSegments[wordSegments.count - 1].end = t + 1
            } else {
                wordSegments.append(AlignedSegment(label: words[w], start: t, end: t + 1))
            }
        }
        self.init(utterance: utterance, frameClasses: classes, phones: phones, words: wordSegments, score: path.score)
    }
}
