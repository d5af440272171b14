import Core
import KaldiIO

/// The best path of an utterance through its alignment graph.
public struct ViterbiPath: Equatable, Sendable {
    public init(units: [Int], score: Double) {
        self.units = units
        self.score = score
    }

    /// Graph unit occupied at every frame.
    public var units: [Int]
    /// Sum of the per-frame scores along the path.
    public var score: Double
}

/// Log-space Viterbi over an `AlignmentGraph` (the lecture's algorithm, with the graph's richer
/// topology): `best(t, s) = score(t, class(s)) + max over predecessors p of (best(t−1, p) + w(p, s))`,
/// where the edge weight w is 0 except on entering a costed pronunciation (`AlignmentGraph`), keeping
/// only the back-pointers (T × S 32-bit integers) and two rows of scores. O(frames × edges).
public enum ViterbiAligner {
    /// Aligns a graph to a table of per-frame scores.
    /// - Parameters:
    ///   - scores: `T × C` log-scores (log-posteriors, possibly minus a scaled log-prior).
    ///   - utterance: for error messages.
    /// - Throws: `AlignError.transcriptTooLong` when T is below the graph's minimum, `.beamTooNarrow`
    ///   when a long recording's beam search loses every path, `.noPath`
    ///   when every path is impossible (all −∞).
    ///
    /// A table of at most `exactLimit` frames × states (a recording of a few minutes) is searched
    /// exhaustively; a longer one (an interview, a read chapter) by `alignPruned`, whose memory
    /// grows with the frames times the states within its beam rather than times the transcript.
    public static func align(_ graph: AlignmentGraph, scores: Matrix, utterance: String, exactLimit: Int = exactLimit) throws -> ViterbiPath {
        let frames = scores.rows
        guard frames >= graph.minimumFrames else {
            throw AlignError.transcriptTooLong(utterance: utterance, frames: frames, minimumFrames: graph.minimumFrames)
        }
        if frames * graph.stateCount > exactLimit { return try alignLong(graph, scores: scores, utterance: utterance) }
        return try alignExactly(graph, scores: scores, utterance: utterance)
    }

    /// Frames × states above which `align` prunes: 2²⁶ back-pointers, 256 MB (about two minutes of speech).
    public static let exactLimit = 1 << 26

    /// The exhaustive search: back-pointers for every frame and state.
    static func alignExactly(_ graph: AlignmentGraph, scores: Matrix, utterance: String) throws -> ViterbiPath {
        let frames = scores.rows, classes = scores.columns
        let stateCount = graph.stateCount
        let stateClass = graph.stateClasses
        let (offsets, predecessors, weights) = graph.predecessorTable()
        // Scores in single precision, as Kaldi's decoders keep them; rows swapped each frame.
        var previous = [Float](repeating: -.infinity, count: stateCount)
        var current = [Float](repeating: -.infinity, count: stateCount)
        var back = [Int32](repeating: -1, count: frames * stateCount)
        scores.values.withUnsafeBufferPointer { score in
            for (s, weight) in graph.startWeights { previous[s] = score[stateClass[s]] + weight }
            back.withUnsafeMutableBufferPointer { backPointers in
            offsets.withUnsafeBufferPointer { offsets in
            predecessors.withUnsafeBufferPointer { predecessors in
            weights.withUnsafeBufferPointer { weights in
            stateClass.withUnsafeBufferPointer { stateClass in
                var prev = UnsafeMutablePointer<Float>.allocate(capacity: stateCount)
                var cur = UnsafeMutablePointer<Float>.allocate(capacity: stateCount)
                defer { prev.deallocate(); cur.deallocate() }
                previous.withUnsafeBufferPointer { prev.update(from: $0.baseAddress!, count: stateCount) }
                for t in 1..<max(frames, 1) {
                    let row = score.baseAddress! + t * classes
                    let b = backPointers.baseAddress! + t * stateCount
                    for s in 0..<stateCount {
                        var e = Int(offsets[s])
                        let end = Int(offsets[s + 1])
                        var argument = predecessors[e]
                        var best = prev[Int(argument)] + weights[e]
                        e += 1
                        while e < end {
                            let p = predecessors[e]
                            let v = prev[Int(p)] + weights[e]
                            if v > best { best = v; argument = p }
                            e += 1
                        }
                        cur[s] = best + row[stateClass[s]]
                        b[s] = argument
                    }
                    swap(&prev, &cur)
                }
                previous.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: prev, count: stateCount) }
            }
            }
            }
            }
            }
        }
        var bestEnd = -1
        var bestScore = -Float.infinity
        for s in graph.endStates where previous[s] > bestScore {
            bestScore = previous[s]
            bestEnd = s
        }
        guard bestEnd >= 0, bestScore > -.infinity else { throw AlignError.noPath(utterance: utterance) }
        // Back-trace states, then map states to units.
        let unitOfState = graph.stateUnits
        var path = [Int](repeating: 0, count: frames)
        var state = bestEnd
        for t in stride(from: frames - 1, through: 0, by: -1) {
            path[t] = unitOfState[state]
            if t > 0 { state = Int(back[t * stateCount + state]) }
        }
        return ViterbiPath(units: path, score: Double(bestScore))
    }
}
