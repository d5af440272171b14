import Acoustic
import Core
import Decode
import Foundation
import Testing
import Transcription

/// The CTC prefix beam search against brute force: on tiny inputs every frame path is
/// enumerated, grouped by what it reads as (repeats merged, blanks dropped) into each phone
/// sequence's CTC probability, and the best sequence the lexicon and word model allow must be
/// the one the search returns, with the same score. A beam wider than the number of prefixes
/// makes the search exact.
@Suite struct CTCPrefixSearchTests {
    // Classes: A, B, and the blank last.
    static let labels = ["A", "B", CTC.blankLabel]

    static func randomLogPosteriors(frames: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        var m = Matrix(rows: frames, columns: labels.count)
        for t in 0..<frames {
            let logits = (0..<labels.count).map { _ in Float(generator.gaussian() * 1.5) }
            let norm = log(logits.map { exp($0) }.reduce(0, +))
            for c in 0..<labels.count { m[t, c] = logits[c] - norm }
        }
        return m
    }

    /// Every phone sequence the frames can read as, with its CTC log-probability.
    static func readings(_ y: Matrix) -> [[Int]: Double] {
        var out = [[Int]: Double]()
        var path = [Int](repeating: 0, count: y.rows)
        func visit(_ t: Int, _ logProbability: Double) {
            guard t < y.rows else {
                var reading = [Int](), previous = -1
                for k in path {
                    if k != 2 && k != previous { reading.append(k) }
                    previous = k
                }
                out[reading, default: 0] += exp(logProbability)
                return
            }
            for k in 0..<3 { path[t] = k; visit(t + 1, logProbability + Double(y[t, k])) }
        }
        visit(0, 0)
        return out.mapValues { log($0) }
    }

    /// The fewest words `phones` splits into under `pronunciations`, nil if it cannot be split.
    static func fewestWords(_ phones: [Int], _ pronunciations: [[Int]]) -> Int? {
        var best = [Int?](repeating: nil, count: phones.count + 1)
        best[0] = 0
        for end in 1...max(1, phones.count) where end <= phones.count {
            for p in pronunciations where p.count <= end && Array(phones[(end - p.count)..<end]) == p {
                if let before = best[end - p.count] { best[end] = min(best[end] ?? .max, before + 1) }
            }
        }
        return phones.isEmpty ? 0 : best[phones.count]
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func prefixSearchFindsTheMostProbableAllowedSequence(seed: UInt64) throws {
        // Words A = a, BA = b a, and B = b: every phone sequence can be split, in several ways.
        let lexicon = Lexicon(entries: [(word: "A", phones: ["A"]), (word: "BA", phones: ["B", "A"]), (word: "B", phones: ["B"])])
        let tree = try LexiconTree(lexicon: lexicon, phoneSet: Self.labels, model: WordLoop())
        var options = SearchOptions()
        options.wordInsertionPenalty = 0.7
        var search = CTCPrefixSearch(tree: tree, model: WordLoop(), blank: 2, options: options)
        search.beamWidth = 10_000
        search.phoneBeam = .infinity
        let y = Self.randomLogPosteriors(frames: 7, seed: seed)
        let result = try search.decode(y, utterance: "u")
        // Brute force: each reading's CTC probability, less the penalty for its fewest words.
        let pronunciations = [[0], [1, 0], [1]]
        var best: (reading: [Int], score: Double)?
        for (reading, logProbability) in Self.readings(y) {
            guard let words = Self.fewestWords(reading, pronunciations) else { continue }
            let score = logProbability - 0.7 * Double(words)
            if best == nil || score > best!.score { best = (reading, score) }
        }
        let found = result.pronunciations.flatMap { tree.pronunciations[$0] }
        #expect(found == best?.reading)
        #expect(abs(Double(result.score) - (best?.score ?? .nan)) < 1e-4)
        // Word ends are frames in order within the utterance.
        #expect(result.wordEnds == result.wordEnds.sorted() && result.wordEnds.allSatisfy { (1...7).contains($0) })
    }

    @Test func aGrammarOfOneWordOutputsExactlyOneWord() throws {
        let lexicon = Lexicon(entries: [(word: "AB", phones: ["A", "B"]), (word: "BB", phones: ["B", "B"])])
        let grammar = try WordGrammar(text: "AB\nBB\n")
        let tree = try LexiconTree(lexicon: lexicon, phoneSet: Self.labels, model: grammar)
        let search = CTCPrefixSearch(tree: tree, model: grammar, blank: 2)
        // Frames read "b b a b": neither word alone; the grammar must still give one word.
        var y = Matrix(rows: 0, columns: 3)
        for k in [1, 2, 1, 0, 1] {
            var row: [Float] = [-4, -4, -4]
            row[k] = -0.05
            y.appendRow(row)
        }
        let result = try search.decode(y, utterance: "u")
        #expect(result.words.count == 1)
        // BB needs a blank between its two b's, which the frames have: it reads as b b.
        #expect(result.words == ["BB"])
    }
}
