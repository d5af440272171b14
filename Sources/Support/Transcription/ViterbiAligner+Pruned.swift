import Core

/// Viterbi for long recordings (an interview, a chapter read aloud, one transcript for 10–60
/// minutes). The exhaustive search keeps a back-pointer for every frame and every state of the
/// transcript, so an hour of speech (360,000 frames, 200,000 states) would need hundreds of
/// gigabytes. This search keeps, at each frame, only the states whose best score is within `beam`
/// of that frame's best: the graph runs left to right (every predecessor of a state comes before
/// it), so those states form one window, and a frame's back-pointers are the window's states'
/// distances back to their predecessors, 16 bits each. Memory grows with frames × window width,
/// and the time with the same product, not with the transcript's length.
///
/// Pruning can lose the best path where the speech and the transcript disagree for long; when no
/// end state survives, the search is run again with a wider beam and more states kept (as Kaldi's
/// aligners retry), up to `maximumBeam`.
extension ViterbiAligner {
    /// Log-score below a frame's best at which a state is dropped, for the first try.
    public static let beam: Float = 60
    /// The widest beam tried before giving up.
    public static let maximumBeam: Float = 960
    /// States a frame keeps at most on the first try, whatever the beam (bounds the memory: 16 bits
    /// per state and frame); each retry allows four times as many.
    public static let maximumActiveStates = 4_000

    /// Aligns with `alignPruned`, widening the beam and the states kept fourfold after each failure.
    /// - Throws: `AlignError.beamTooNarrow` when even `maximumBeam` loses every end state.
    static func alignLong(_ graph: AlignmentGraph, scores: Matrix, utterance: String) throws -> ViterbiPath {
        var width = beam, active = maximumActiveStates
        while width <= maximumBeam {
            if let path = alignPruned(graph, scores: scores, beam: width, maximumActive: active) { return path }
            width *= 4
            active *= 4
        }
        throw AlignError.beamTooNarrow(utterance: utterance, beam: maximumBeam)
    }

    /// The beam search described above.
    /// - Returns: the best path that stayed within the beam, or nil when no end state is active at
    ///   the last frame (or the graph's jumps are too long for 16-bit back-pointers).
    public static func alignPruned(_ graph: AlignmentGraph, scores: Matrix, beam: Float, maximumActive: Int) -> ViterbiPath? {
        precondition(maximumActive >= 1, "at least one state a frame")
        let frames = scores.rows, classes = scores.columns
        let stateCount = graph.stateCount
        guard frames > 0, stateCount > 0 else { return nil }
        let stateClass = graph.stateClasses.map(Int32.init)
        let (offsets, predecessors, weights) = graph.predecessorTable()
        // reach[s]: the furthest state any of states 0...s leads to in one frame.
        var reach = [Int](0..<stateCount)
        var longestJump = 0
        for s in 0..<stateCount {
            for e in Int(offsets[s])..<Int(offsets[s + 1]) {
                let p = Int(predecessors[e])
                reach[p] = max(reach[p], s)
                longestJump = max(longestJump, s - p)
            }
        }
        guard longestJump <= Int(UInt16.max) else { return nil }
        for s in 1..<stateCount { reach[s] = max(reach[s], reach[s - 1]) }

        // Per frame: the first state kept and where its back-pointers start in `back`.
        var keptFrom = [Int](repeating: 0, count: frames)
        var backStart = [Int](repeating: 0, count: frames + 1)
        var back = [UInt16]()
        back.reserveCapacity(frames * 64)
        let starts = graph.startStates
        var low = starts.min()!, high = starts.max()!
        var previous = [Float](repeating: -.infinity, count: high - low + 1)
        scores.values.withUnsafeBufferPointer { score in
            for (s, weight) in graph.startWeights { previous[s - low] = score[Int(stateClass[s])] + weight }
        }
        func prune(_ values: [Float], from first: Int) -> (low: Int, high: Int)? {
            guard let best = values.max(), best > -.infinity else { return nil }
            let threshold = best - beam
            var a = values.firstIndex { $0 >= threshold }!, b = values.lastIndex { $0 >= threshold }!
            while b - a + 1 > maximumActive { if values[a] < values[b] { a += 1 } else { b -= 1 } }
            return (first + a, first + b)
        }
        guard let kept = prune(previous, from: low) else { return nil }
        previous = Array(previous[(kept.low - low)...(kept.high - low)])
        (low, high) = kept
        keptFrom[0] = low
        var current = [Float]()
        var deltas = [UInt16]()
        let ok: Bool = scores.values.withUnsafeBufferPointer { score in
            offsets.withUnsafeBufferPointer { offsets in
            predecessors.withUnsafeBufferPointer { predecessors in
            weights.withUnsafeBufferPointer { weights in
            stateClass.withUnsafeBufferPointer { stateClass in
                for t in 1..<frames {
                    let row = score.baseAddress! + t * classes
                    let newHigh = min(reach[high], stateCount - 1)
                    let width = newHigh - low + 1
                    current.removeAll(keepingCapacity: true)
                    deltas.removeAll(keepingCapacity: true)
                    previous.withUnsafeBufferPointer { prev in
                        for s in low...newHigh {
                            var best = -Float.infinity
                            var argument = s
                            for e in Int(offsets[s])..<Int(offsets[s + 1]) {
                                let p = Int(predecessors[e])
                                guard p >= low, p <= high else { continue }
                                let v = prev[p - low] + weights[e]
                                if v > best { best = v; argument = p }
                            }
                            current.append(best + row[Int(stateClass[s])])
                            deltas.append(UInt16(s - argument))
                        }
                    }
                    assert(current.count == width)
                    guard let kept = prune(current, from: low) else { return false }
                    keptFrom[t] = kept.low
                    backStart[t] = back.count
                    back.append(contentsOf: deltas[(kept.low - low)...(kept.high - low)])
                    previous = Array(current[(kept.low - low)...(kept.high - low)])
                    (low, high) = kept
                }
                return true
            }
            }
            }
            }
        }
        guard ok else { return nil }
        backStart[frames] = back.count
        var bestEnd = -1
        var bestScore = -Float.infinity
        for s in graph.endStates where s >= low && s <= high && previous[s - low] > bestScore {
            bestScore = previous[s - low]
            bestEnd = s
        }
        guard bestEnd >= 0 else { return nil }
        let unitOfState = graph.stateUnits
        var path = [Int](repeating: 0, count: frames)
        var state = bestEnd
        for t in stride(from: frames - 1, through: 0, by: -1) {
            path[t] = unitOfState[state]
            if t > 0 { state -= Int(back[backStart[t] + state - keptFrom[t]]) }
        }
        return ViterbiPath(units: path, score: Double(bestScore))
    }
}
