import Acoustic
import Core
import Decode
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing
import Transcription

/// The recogniser around the search: how acoustic scores are weighed against the language model.
@Suite struct RecognizerTests {
    /// A recogniser for classes SIL, A, B and the words QUIET (A) and LOUD (B); the network is not
    /// run (tests give log-posteriors).
    static func recognizer(model wordModel: WordSequenceModel = WordLoop(), gate: QuietWordGate? = nil, acousticScale: Float = 1) throws -> Recognizer {
        var random = SeededGenerator(seed: 1)
        let configuration = AcousticModelConfiguration(featureDimension: 2, classes: 3, layers: 1, hiddenUnits: 2)
        let model = AcousticModel(features: nil, cmvn: .none, inputMean: [0, 0], inputScale: [1, 1], classLabels: ["SIL", "A", "B"],
                                  network: BiLSTMNetwork(configuration: configuration, random: &random))
        let lexicon = Lexicon(entries: [(word: "QUIET", phones: ["A"]), (word: "LOUD", phones: ["B"])])
        let tree = try LexiconTree(lexicon: lexicon, phoneSet: model.classLabels, model: wordModel)
        var recognizer = Recognizer(model: model, mode: .search(BeamSearchDecoder(tree: tree, model: wordModel, silence: 0), phoneOutput: false))
        recognizer.quietWordGate = gate
        recognizer.acousticScale = acousticScale
        return recognizer
    }

    /// Ten frames where B is 4.2 times as probable as A (1.44 nats a frame, 14.4 in all) against a
    /// unigram that prefers QUIET by 2.9 in log10 (6.68 nats): the acoustics win at scale 1, the
    /// language model at scale 0.1 (1.44 < 6.68). Silence (0.01) loses to either word.
    @Test func acousticScaleWeighsTheNetworkAgainstTheLanguageModel() throws {
        let unigram = try ArpaLanguageModel(text: """
        \\data\\
        ngram 1=4

        \\1-grams:
        -0.3\t</s>
        -99\t<s>
        -0.1\tQUIET
        -3.0\tLOUD

        \\end\\
        """)
        var posteriors = Matrix(rows: 10, columns: 3)
        for t in 0..<10 { for (c, p) in [0.01, 0.19, 0.8].enumerated() { posteriors[t, c] = Float(log(p)) } }
        #expect(try Self.recognizer(model: unigram).recognize("u", logPosteriors: posteriors).tokens == ["LOUD"])
        #expect(try Self.recognizer(model: unigram, acousticScale: 0.1).recognize("u", logPosteriors: posteriors).tokens == ["QUIET"])
        // Word times come from the same scaled scores: the one word spans every frame.
        let scaled = try Self.recognizer(model: unigram, acousticScale: 0.1).recognize("u", logPosteriors: posteriors)
        #expect(scaled.words.map { [$0.start, $0.end] } == [[0, 10]])
    }

    /// Decoding a batch runs the network once for the utterances whose features were read, and
    /// each gets what decoding it alone gives: the same words, phones, times and score. One whose
    /// features failed keeps its error, and one without frames has no hypothesis; neither moves
    /// the others' results.
    @Test func aBatchDecodesAsOneAtATimeAndFailuresStayWithTheirUtterance() throws {
        let recognizer = try Self.recognizer()
        var random = SeededGenerator(seed: 5)
        func features(_ frames: Int) -> Matrix {
            Matrix(rows: frames, columns: 2, values: (0..<(2 * frames)).map { _ in Float.random(in: -2...2, using: &random) })
        }
        struct Unreadable: Error {}
        let long = features(40), short = features(9)
        let workspace = NetworkWorkspace.forInference()
        let results = recognizer.recognize([("a", .success(short), nil), ("b", .failure(Unreadable()), nil),
                                            ("c", .success(Matrix(rows: 0, columns: 2)), nil), ("d", .success(long), nil)], workspace: workspace)
        #expect(results.count == 4)
        for (index, features) in [(0, short), (3, long)] {
            let alone = try recognizer.recognize(index == 0 ? "a" : "d", features: features, workspace: workspace)
            let batched = try results[index].get()
            #expect(batched.tokens == alone.tokens && batched.score == alone.score && batched.frames == features.rows)
            #expect(batched.words == alone.words && batched.phones == alone.phones)
        }
        #expect(try !results[3].get().words.isEmpty, "the 40 frames decode to words")
        #expect(throws: Unreadable.self) { try results[1].get() }
        #expect(throws: DecodeError.self) { try results[2].get() }
    }
}
