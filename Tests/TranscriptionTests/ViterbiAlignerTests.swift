import Core
import Foundation
import KaldiIO
import Testing
import Transcription
@testable import Transcription

@Suite struct ViterbiAlignerTests {
    /// Every valid state sequence of length `frames`, by exhaustive search: the best score and
    /// path. A path's score is the sum of its frames' scores, minus a unit's entry cost each time
    /// the path enters that unit (on the first frame, or from another unit).
    static func bruteForce(_ graph: AlignmentGraph, _ scores: Matrix) -> (score: Double, units: [Int])? {
        let (offsets, predecessors, _) = graph.predecessorTable()
        let classes = graph.stateClasses
        var successors = [[Int]](repeating: [], count: graph.stateCount)
        for s in 0..<graph.stateCount {
            for e in Int(offsets[s])..<Int(offsets[s + 1]) { successors[Int(predecessors[e])].append(s) }
        }
        let unitOfState = graph.stateUnits
        let ends = Set(graph.endStates)
        var best: (Double, [Int])?
        var path = [Int]()
        func visit(_ state: Int, _ t: Int, _ total: Double) {
            var score = total + Double(scores[t, classes[state]])
            if path.last.map({ unitOfState[$0] }) != unitOfState[state] { score -= Double(graph.units[unitOfState[state]].entryCost) }
            path.append(state)
            defer { path.removeLast() }
            if t == scores.rows - 1 {
                if ends.contains(state), score > (best?.0 ?? -.infinity) { best = (score, path) }
                return
            }
            for next in successors[state] { visit(next, t + 1, score) }
        }
        for s in graph.startStates { visit(s, 0, 0) }
        guard let best else { return nil }
        return (best.0, best.1.map { unitOfState[$0] })
    }

    static func randomScores(frames: Int, classes: Int, seed: UInt64) -> Matrix {
        var random = SeededGenerator(seed: seed)
        return Matrix(rows: frames, columns: classes, values: (0..<(frames * classes)).map { _ in log(Float.random(in: 0.01...1, using: &random)) })
    }

    @Test(arguments: [(1, 7), (2, 8), (2, 11), (3, 9)])
    func viterbiEqualsTheBestOfAllPaths(minimumDuration: Int, frames: Int) throws {
        // Two words, the first with two pronunciations; silence is class 0.
        let graph = AlignmentGraph(words: [[[1, 2], [3]], [[2, 4]]], silence: 0, optionalSilence: true, minimumDuration: minimumDuration)
        try Self.expectViterbiEqualsBruteForce(graph, frames: frames, seedStep: 31)
    }

    /// With a cost on second pronunciations, in either word, Viterbi is still exact; the first
    /// word's second pronunciation (a single unit) is also a start unit, whose cost is paid on
    /// the first frame.
    @Test(arguments: [(1, 7, Float(0.7)), (2, 9, Float(1.5)), (3, 10, Float(0.4))])
    func viterbiWithACostedVariantEqualsTheBestOfAllPaths(minimumDuration: Int, frames: Int, cost: Float) throws {
        let graph = AlignmentGraph(words: [[[1, 2], [3]], [[2, 4], [2, 4, 1]]], silence: 0, optionalSilence: true,
                                   minimumDuration: minimumDuration, variantCost: cost)
        #expect(graph.units.map(\.entryCost) == [0, 0, 0, cost, 0, 0, 0, cost, 0, 0, 0])
        try Self.expectViterbiEqualsBruteForce(graph, frames: frames, seedStep: 13)
    }

    /// A word spoken "HH ER" with an R-like tail: 3 frames each of HH (class 1), ER (2), then 3
    /// frames that sound a little more like R (3) than ER (0.5 against 0.4). Both pronunciations
    /// fit; without a cost the longer one wins by 3 × log(0.5 / 0.4) ≈ 0.67, and a cost of 1 on
    /// second pronunciations gives the tail to ER.
    @Test func aCostedVariantNeedsClearEvidence() throws {
        var scores = Matrix(rows: 9, columns: 4)
        for t in 0..<9 {
            let p: [Float] = t < 3 ? [0.05, 0.85, 0.05, 0.05] : t < 6 ? [0.05, 0.05, 0.85, 0.05] : [0.05, 0.05, 0.4, 0.5]
            for c in 0..<4 { scores[t, c] = log(p[c]) }
        }
        for (cost, expected) in [(Float(0), [1, 1, 1, 2, 2, 2, 3, 3, 3]), (0.5, [1, 1, 1, 2, 2, 2, 3, 3, 3]), (1, [1, 1, 1, 2, 2, 2, 2, 2, 2])] {
            let graph = AlignmentGraph(words: [[[1, 2], [1, 2, 3]]], silence: 0, optionalSilence: false, minimumDuration: 3, variantCost: cost)
            let path = try ViterbiAligner.align(graph, scores: scores, utterance: "HER")
            #expect(path.units.map { graph.units[$0].phone } == expected, "cost \(cost)")
            let expectedScore = (0..<9).reduce(0.0) { $0 + Double(scores[$1, expected[$1]]) } - (expected.last == 3 ? Double(cost) : 0)
            #expect(abs(path.score - expectedScore) < 1e-4, "cost \(cost)")
        }
    }

    /// On 20 random score tables, Viterbi's path and score are the exhaustive search's.
    static func expectViterbiEqualsBruteForce(_ graph: AlignmentGraph, frames: Int, seedStep: Int) throws {
        for seed in 0..<20 {
            let scores = randomScores(frames: frames, classes: 5, seed: UInt64(seed * seedStep + frames))
            let expected = try #require(bruteForce(graph, scores))
            let found = try ViterbiAligner.align(graph, scores: scores, utterance: "u")
            #expect(abs(found.score - expected.score) < 1e-4, "seed \(seed)")
            #expect(found.units == expected.units, "seed \(seed)")
        }
    }

    /// With a longer minimum for pauses between words, Viterbi is still exact (the edge silences
    /// keep the phone minimum).
    @Test(arguments: [(1, 3, 9), (2, 4, 11)])
    func viterbiWithALongerPauseEqualsTheBestOfAllPaths(minimumDuration: Int, minimumPause: Int, frames: Int) throws {
        let graph = AlignmentGraph(words: [[[1, 2], [3]], [[2, 4]]], silence: 0, optionalSilence: true,
                                   minimumDuration: minimumDuration, minimumPause: minimumPause)
        #expect(graph.units.filter { $0.word == nil }.map(\.duration) == [minimumDuration, minimumPause, minimumDuration])
        try Self.expectViterbiEqualsBruteForce(graph, frames: frames, seedStep: 17)
    }

    /// Two words "A" (class 1) and "T" (class 2) with a 3-frame gap between them that sounds
    /// like silence (0.6 against 0.3 for T, 0.1 for A), as a stop's closure does. With pauses
    /// lasting at least 3 frames the gap is a pause: A A A SIL SIL SIL T T T. With at least 4 the
    /// gap cannot be a pause, and the closure becomes part of T, the better of the two words for
    /// it: A A A T T T T T T.
    @Test func aShortGapIsAPauseOnlyWhenLongEnough() throws {
        let sounds = [1, 1, 1, 0, 0, 0, 2, 2, 2]
        var scores = Matrix(rows: sounds.count, columns: 3)
        for (t, sound) in sounds.enumerated() {
            for c in 0..<3 {
                let p: Float = sound == 0 ? [0.6, 0.1, 0.3][c] : (c == sound ? 0.8 : 0.1)
                scores[t, c] = log(p)
            }
        }
        for (pause, expected) in [(3, [1, 1, 1, 0, 0, 0, 2, 2, 2]), (4, [1, 1, 1, 2, 2, 2, 2, 2, 2])] {
            let graph = AlignmentGraph(words: [[[1]], [[2]]], silence: 0, optionalSilence: true, minimumDuration: 3, minimumPause: pause)
            let path = try ViterbiAligner.align(graph, scores: scores, utterance: "u")
            #expect(path.units.map { graph.units[$0].phone } == expected, "minimum pause \(pause)")
        }
    }

    /// The lecture's example: align /B/ /IY/ /F/ /IY/ to 9 frames. The network favours, frame by
    /// frame, B B IY F F IY IY IY IY (0.7 against 0.1 for each other symbol); the Viterbi path
    /// must be exactly that expansion, with the second /IY/ row distinct from the first.
    @Test func lectureExampleBIYFIY() throws {
        let symbols = ["B", "IY", "F", "OTHER"]
        let intended = ["B", "B", "IY", "F", "F", "IY", "IY", "IY", "IY"]
        var scores = Matrix(rows: 9, columns: 4)
        for t in 0..<9 { for c in 0..<4 { scores[t, c] = log(symbols[c] == intended[t] ? 0.7 : 0.1) } }
        let graph = AlignmentGraph(words: [[[0, 1, 2, 1]]], silence: 3, optionalSilence: false, minimumDuration: 1)
        let path = try ViterbiAligner.align(graph, scores: scores, utterance: "BIYFIY")
        #expect(path.units == [0, 0, 1, 2, 2, 3, 3, 3, 3])   // rows of the table, top to bottom
        #expect(path.units.map { symbols[graph.units[$0].phone] } == intended)
        #expect(abs(path.score - (5 * log(0.7) + 4 * log(0.7))) < 1e-5)
    }

    @Test func transcriptLongerThanTheAudioIsAClearError() {
        let graph = AlignmentGraph(words: [[[1, 2, 3]], [[4, 1]]], silence: 0, minimumDuration: 3)
        #expect(graph.minimumFrames == 15)
        #expect(throws: AlignError.transcriptTooLong(utterance: "utt9", frames: 12, minimumFrames: 15)) {
            _ = try ViterbiAligner.align(graph, scores: Self.randomScores(frames: 12, classes: 5, seed: 1), utterance: "utt9")
        }
    }

    @Test func everyPhoneLastsAtLeastTheMinimumDuration() throws {
        let graph = AlignmentGraph(words: [[[1, 2]], [[3]]], silence: 0, minimumDuration: 3)
        let scores = Self.randomScores(frames: 40, classes: 4, seed: 5)
        let path = try ViterbiAligner.align(graph, scores: scores, utterance: "u")
        var runs = [Int]()
        var previous = -1
        for unit in path.units {
            if unit == previous { runs[runs.count - 1] += 1 } else { runs.append(1); previous = unit }
        }
        #expect(runs.allSatisfy { $0 >= 3 }, "\(runs)")
    }
}
