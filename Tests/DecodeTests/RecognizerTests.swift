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
}
