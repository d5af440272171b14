import Core
import Decode
import Foundation
import KaldiIO
import Testing
import Transcription

/// The beam search against brute force: on tiny score tables every word sequence that fits is
/// scored exactly (Viterbi through its graph, plus the word-sequence model and penalties), and
/// the best must be what the search returns.
@Suite struct BeamSearchTests {
    // Classes: SIL, A, B, C. Minimum duration 3 with at most 11 frames: at most 3 phones, so at
    // most 3 words, and enumerating sequences up to length 3 covers every possible output.
    static let labels = ["SIL", "A", "B", "C"]
    static let lexicon = Lexicon(entries: [
        (word: "W1", phones: ["A"]), (word: "W2", phones: ["A", "B"]), (word: "W2", phones: ["A", "C"]),
        (word: "W3", phones: ["B", "C"]), (word: "W4", phones: ["C"]),
    ])

    static func randomScores(frames: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        var m = Matrix(rows: frames, columns: labels.count)
        for t in 0..<frames {
            let logits = (0..<labels.count).map { _ in Float(generator.gaussian() * 2) }
            let norm = log(logits.map { exp($0) }.reduce(0, +))
            for c in 0..<labels.count { m[t, c] = logits[c] - norm }
        }
        return m
    }

    /// Best score of one word sequence: Viterbi over its graph (all variants, optional silence).
    static func exactScore(_ words: [String], scores: Matrix, model: WordSequenceModel, options: SearchOptions) -> Float? {
        var lm: Float = 0
        var state = model.startState
        for word in words {
            guard let w = model.wordIndex(word) else { return nil }
            var best: (Int, Float)?
            model.forEachSuccessor(of: state, word: w) { s, p in if best == nil || p > best!.1 { best = (s, p) } }
            guard let (s, p) = best else { return nil }
            lm += p
            state = s
        }
        guard let end = model.finalLogProbability(state) else { return nil }
        lm += end
        let acoustic: Float
        if words.isEmpty {
            guard options.optionalSilence, scores.rows >= options.minimumDuration else { return nil }
            acoustic = (0..<scores.rows).reduce(Float(0)) { $0 + scores[$1, 0] }
        } else {
            let variants = words.map { lexicon.lookup($0)!.map { $0.map { labels.firstIndex(of: $0)! } } }
            let graph = AlignmentGraph(words: variants, silence: 0, optionalSilence: options.optionalSilence, minimumDuration: options.minimumDuration)
            guard let path = try? ViterbiAligner.align(graph, scores: scores, utterance: "u") else { return nil }
            acoustic = Float(path.score)
        }
        return acoustic + options.lmWeight * lm - options.wordInsertionPenalty * Float(words.count)
    }

    static func bruteForce(scores: Matrix, model: WordSequenceModel, options: SearchOptions) -> (words: [String], score: Float)? {
        let vocabulary = ["W1", "W2", "W3", "W4"]
        var sequences: [[String]] = [[]]
        var frontier: [[String]] = [[]]
        for _ in 0..<3 {
            frontier = frontier.flatMap { prefix in vocabulary.map { prefix + [$0] } }
            sequences += frontier
        }
        var best: ([String], Float)?
        for sequence in sequences {
            if let s = exactScore(sequence, scores: scores, model: model, options: options), best == nil || s > best!.1 { best = (sequence, s) }
        }
        return best
    }

    static let bigram = """
    \\data\\
    ngram 1=6
    ngram 2=5

    \\1-grams:
    -0.8\t</s>
    -99\t<s>\t-0.3
    -0.5\tW1\t-0.2
    -0.7\tW2\t-0.4
    -0.6\tW3
    -0.9\tW4\t-0.1

    \\2-grams:
    -0.1\t<s> W2
    -0.3\tW1 W3
    -0.2\tW2 W4
    -0.4\tW4 </s>
    -0.6\tW4 W1

    \\end\\
    """

    func check(_ model: WordSequenceModel, options: SearchOptions, seeds: ClosedRange<UInt64>) throws {
        let tree = try LexiconTree(lexicon: BeamSearchTests.lexicon, phoneSet: BeamSearchTests.labels, model: model)
        var decoder = BeamSearchDecoder(tree: tree, model: model, silence: 0, options: options)
        decoder.options.beam = 1000
        for seed in seeds {
            let frames = 9 + Int(seed % 3)
            let scores = BeamSearchTests.randomScores(frames: frames, seed: seed)
            let expected = BeamSearchTests.bruteForce(scores: scores, model: model, options: options)
            let found = try? decoder.decode(scores, utterance: "u")
            #expect(found?.words == expected?.words, "seed \(seed)")
            if let found, let expected { #expect(abs(found.score - expected.score) < 1e-3, "seed \(seed): \(found.score) vs \(expected.score)") }
        }
    }

    @Test func wordLoopMatchesBruteForce() throws {
        var options = SearchOptions()
        options.wordInsertionPenalty = 0.5
        try check(WordLoop(), options: options, seeds: 1...40)
    }

    @Test func wordLoopWithoutSilenceMatchesBruteForce() throws {
        var options = SearchOptions()
        options.optionalSilence = false
        options.wordInsertionPenalty = -1   // a bonus: favours more words
        try check(WordLoop(), options: options, seeds: 41...70)
    }

    @Test func bigramModelMatchesBruteForce() throws {
        var options = SearchOptions()
        options.lmWeight = 2
        try check(try ArpaLanguageModel(text: BeamSearchTests.bigram), options: options, seeds: 71...110)
    }

    @Test func grammarMatchesBruteForceAndOnlyAllowsItsSentences() throws {
        let grammar = try WordGrammar(text: "W1 W3\nW2\nW4 W4 W1\n")
        try check(grammar, options: SearchOptions(), seeds: 111...140)
        let tree = try LexiconTree(lexicon: BeamSearchTests.lexicon, phoneSet: BeamSearchTests.labels, model: grammar)
        let decoder = BeamSearchDecoder(tree: tree, model: grammar, silence: 0)
        for seed in UInt64(141)...160 {
            let result = try decoder.decode(BeamSearchTests.randomScores(frames: 10, seed: seed), utterance: "u")
            #expect([["W1", "W3"], ["W2"], ["W4", "W4", "W1"]].contains(result.words))
        }
    }

    @Test func tooFewFramesForAnyAllowedSentenceIsAClearError() throws {
        let grammar = try WordGrammar(text: "W4 W4 W1\n")
        let tree = try LexiconTree(lexicon: BeamSearchTests.lexicon, phoneSet: BeamSearchTests.labels, model: grammar)
        let decoder = BeamSearchDecoder(tree: tree, model: grammar, silence: 0)
        #expect(throws: DecodeError.self) { try decoder.decode(BeamSearchTests.randomScores(frames: 8, seed: 1), utterance: "short") }
        do {
            _ = try decoder.decode(BeamSearchTests.randomScores(frames: 8, seed: 1), utterance: "short")
        } catch {
            #expect("\(error)".contains("utterance short: no allowed word sequence fits its 8 frames"))
        }
    }

    @Test func wordsWithPhonesTheModelLacksAreLeftOutAndNamed() throws {
        let lexicon = Lexicon(entries: [(word: "GOOD", phones: ["A"]), (word: "BAD", phones: ["A", "ZH"])])
        let tree = try LexiconTree(lexicon: lexicon, phoneSet: BeamSearchTests.labels, model: WordLoop())
        #expect(tree.words == ["GOOD"])
        #expect(tree.skipped.map(\.word) == ["BAD"])
        #expect(tree.skipped[0].reason.contains("ZH"))
    }

    @Test func prefixTreeSharesCommonPrefixes() throws {
        let tree = try LexiconTree(lexicon: BeamSearchTests.lexicon, phoneSet: BeamSearchTests.labels, model: WordLoop())
        // Root, A (W1, shared by both W2 variants), A-B, A-C, B, B-C, C.
        #expect(tree.nodeCount == 7)
        #expect(tree.pronunciations.count == 5)
    }
}
