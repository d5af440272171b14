import Core
import Foundation
import Testing
@testable import Transcription

/// The beam-pruned Viterbi of long recordings (`ViterbiAligner.alignPruned`), against the
/// exhaustive search and the enumeration of every path.
@Suite struct PrunedViterbiTests {
    /// With a beam too wide to prune anything, the pruned search is the enumeration of every path,
    /// with or without a cost on second pronunciations.
    @Test(arguments: [(1, 7, Float(0)), (2, 9, 0), (3, 10, 0), (1, 7, 0.8), (2, 9, 1.2)])
    func anUnprunedBeamIsTheBestOfAllPaths(minimumDuration: Int, frames: Int, cost: Float) throws {
        let graph = AlignmentGraph(words: [[[1, 2], [3]], [[2, 4], [2, 4, 3]]], silence: 0, optionalSilence: true, minimumDuration: minimumDuration,
                                   minimumPause: minimumDuration + 1, variantCost: cost)
        for seed in 0..<20 {
            let scores = ViterbiAlignerTests.randomScores(frames: frames, classes: 5, seed: UInt64(seed * 13 + frames))
            let expected = try #require(ViterbiAlignerTests.bruteForce(graph, scores))
            let found = try #require(ViterbiAligner.alignPruned(graph, scores: scores, beam: .infinity, maximumActive: .max))
            #expect(abs(found.score - expected.score) < 1e-4, "seed \(seed)")
            #expect(found.units == expected.units, "seed \(seed)")
        }
    }

    /// A long transcript (120 words of 1–3 phones, two with a second pronunciation) over scores
    /// that favour one path: the pruned search with the default beam finds the exhaustive search's
    /// path, and keeps far fewer states per frame than the graph has.
    @Test func theDefaultBeamFindsTheExhaustivePathOnALongTranscript() throws {
        var random = SeededGenerator(seed: 7)
        let classes = 12
        var words = [[[Int]]]()
        for w in 0..<120 {
            let phones = (0..<Int.random(in: 1...3, using: &random)).map { _ in Int.random(in: 1..<classes, using: &random) }
            words.append(w % 50 == 3 ? [phones, [Int.random(in: 1..<classes, using: &random)]] : [phones])
        }
        let graph = AlignmentGraph(words: words, silence: 0, optionalSilence: true, minimumDuration: 3, minimumPause: 10)
        // A spoken path: each word's first pronunciation, phones of 3–12 frames, a pause after every seventh word.
        var spoken = [Int]()
        spoken += [Int](repeating: 0, count: 20)
        for (w, variants) in words.enumerated() {
            for phone in variants[0] { spoken += [Int](repeating: phone, count: Int.random(in: 3...12, using: &random)) }
            if w % 7 == 6 { spoken += [Int](repeating: 0, count: 15) }
        }
        spoken += [Int](repeating: 0, count: 20)
        var scores = Matrix(rows: spoken.count, columns: classes)
        for (t, c) in spoken.enumerated() {
            // Noisy posteriors: the spoken class most likely, others random.
            var p = (0..<classes).map { _ in Float.random(in: 0.01...0.3, using: &random) }
            p[c] += 1
            let total = p.reduce(0, +)
            for k in 0..<classes { scores[t, k] = log(p[k] / total) }
        }
        let exact = try ViterbiAligner.alignExactly(graph, scores: scores, utterance: "u")
        let pruned = try #require(ViterbiAligner.alignPruned(graph, scores: scores, beam: ViterbiAligner.beam, maximumActive: ViterbiAligner.maximumActiveStates))
        #expect(pruned.units == exact.units)
        #expect(abs(pruned.score - exact.score) < 1e-2)
        // A beam of 2 log-units keeps so few states that the right path is lost somewhere, and
        // what it finds (if anything) is no better than the exhaustive search's.
        if let narrow = ViterbiAligner.alignPruned(graph, scores: scores, beam: 2, maximumActive: 3) {
            #expect(narrow.score <= exact.score + 1e-3)
        }
    }

    /// `align` switches to the pruned search above `exactLimit` frames × states (here lowered to
    /// 1,000), and the path it finds there is the exhaustive one on scores that favour one path.
    @Test func alignPrunesOnlyAboveTheLimit() throws {
        let graph = AlignmentGraph(words: [[[1]], [[2]]], silence: 0, minimumDuration: 3)
        let frames = 1_000 / graph.stateCount + 1
        var scores = Matrix(rows: frames, columns: 3)
        for t in 0..<frames {
            let sound = t < frames / 3 ? 1 : (t < 2 * frames / 3 ? 0 : 2)
            for c in 0..<3 { scores[t, c] = c == sound ? log(0.9) : log(0.05) }
        }
        let exact = try ViterbiAligner.alignExactly(graph, scores: scores, utterance: "long")
        #expect(try ViterbiAligner.align(graph, scores: scores, utterance: "long", exactLimit: 1_000).units == exact.units)
        #expect(exact.units[frames / 2] == 2)   // the pause between the words (unit 2: silence before word 2)
        // Scores that no beam can follow (every class impossible from the middle on) are an error
        // naming the utterance and what to check.
        for t in (frames / 2)..<frames { for c in 0..<3 { scores[t, c] = -.infinity } }
        #expect(throws: AlignError.beamTooNarrow(utterance: "long", beam: ViterbiAligner.maximumBeam)) {
            try ViterbiAligner.align(graph, scores: scores, utterance: "long", exactLimit: 1_000)
        }
        #expect("\(AlignError.beamTooNarrow(utterance: "long", beam: 960))".hasPrefix("utterance long: no alignment within a beam of 960"))
    }
}
