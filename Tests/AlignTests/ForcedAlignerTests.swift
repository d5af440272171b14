import Acoustic
import Audio
import Align
import Core
import Corpus
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing
import Transcription

/// A model whose log-posteriors are the log-softmax of its input: no LSTM layers, identity
/// output weights, no input normalisation. Features then are scores, built by hand.
func scoreModel(labels: [String]) -> AcousticModel {
    let c = labels.count
    let configuration = AcousticModelConfiguration(featureDimension: c, classes: c, layers: 0, hiddenUnits: 1)
    var parameters = [Float](repeating: 0, count: c * c + c)
    for i in 0..<c { parameters[i * c + i] = 1 }
    return AcousticModel(features: nil, cmvn: .none, inputMean: [Float](repeating: 0, count: c), inputScale: [Float](repeating: 1, count: c),
                         classLabels: labels, network: BiLSTMNetwork(configuration: configuration, parameters: parameters))
}

/// Frames favouring one class each (10 against 0), from a string of class letters: S(IL), A, B.
func frames(_ pattern: String) -> Matrix {
    let classes = ["S": 0, "A": 1, "B": 2]
    var m = Matrix(rows: 0, columns: 3)
    for ch in pattern {
        var row: [Float] = [0, 0, 0]
        row[classes[String(ch)]!] = 10
        m.appendRow(row)
    }
    return m
}

@Suite struct ForcedAlignerTests {
    let labels = ["SIL", "A", "B"]
    var aligner: ForcedAligner {
        ForcedAligner(model: scoreModel(labels: labels),
                      compiler: TranscriptCompiler(lexicon: Lexicon(entries: [(word: "AB", phones: ["A", "B"])]), phoneSet: labels))
    }

    /// Silence, A, B, silence in runs of 3, 3, 4 and 3 frames: the alignment follows the runs
    /// (worked by hand), and the path's log-likelihood is 13 frames of log(e¹⁰ / (e¹⁰ + 2)); its
    /// speech, the 7 frames of A and B, each has posterior e¹⁰ / (e¹⁰ + 2).
    @Test func alignmentFollowsHandBuiltScores() throws {
        let compiled = try aligner.compiler.compile(utterance: "u", transcript: "ab")
        let outcome = aligner.align([ForcedAligner.Input(utterance: "u", transcript: compiled, features: frames("SSSAAABBBBSSS"))], workspace: NetworkWorkspace())
        let output = try #require(try outcome.first?.get())
        #expect(output.alignment.phones == [AlignedSegment(label: "SIL", start: 0, end: 3), AlignedSegment(label: "A", start: 3, end: 6),
                                            AlignedSegment(label: "B", start: 6, end: 10), AlignedSegment(label: "SIL", start: 10, end: 13)])
        #expect(output.alignment.words == [AlignedSegment(label: "AB", start: 3, end: 10)])
        let perFrame = 10 - log(exp(10.0) + 2)
        #expect(abs(output.logLikelihood - 13 * perFrame) < 1e-3)
        #expect(output.speechFrames == 7 && abs(output.speechPosteriors - 7 * exp(perFrame)) < 1e-4)
    }

    /// Priors, worked by hand: frame 6 of S S S A A A ? B B B S S S scores A 10 and B 9, so the
    /// posteriors give it to A (B starts at 7). With log-priors A −1 and B −3 and the default
    /// scale 1, its scaled likelihoods are A 10 + 1 = 11 and B 9 + 3 = 12 (less the same
    /// normaliser), so it goes to the rarer B (B starts at 6); scale 0 or no priors keep 7.
    @Test func priorsMoveAnAmbiguousFrameToTheRarerClass() throws {
        var features = frames("SSSAAAABBBSSS")
        features[6, 1] = 10
        features[6, 2] = 9
        let compiled = try aligner.compiler.compile(utterance: "u", transcript: "AB")
        func startOfB(priors: [Float]?, scale: Float?) throws -> Int {
            var aligner = self.aligner
            aligner.logPriors = priors
            if let scale { aligner.options.priorScale = scale }
            let output = try #require(try aligner.align([ForcedAligner.Input(utterance: "u", transcript: compiled, features: features)],
                                                        workspace: NetworkWorkspace()).first?.get())
            return try #require(output.alignment.phones.first { $0.label == "B" }).start
        }
        #expect(AlignerOptions().priorScale == 1)
        #expect(try startOfB(priors: [-0.5, -1, -3], scale: nil) == 6)
        #expect(try startOfB(priors: [-0.5, -1, -3], scale: 0) == 7)
        #expect(try startOfB(priors: nil, scale: nil) == 7)
    }

    /// Sub-frame boundaries, worked by hand. Around the A→B boundary the margin score(A) −
    /// score(B) lies on a straight line through zero at frame position c (frame t's centre is at
    /// position t), so the boundary belongs at c: with Kaldi's frames (frame t's centre at
    /// t × 10 ms + 12.5 ms) at c × 10 ms + 12.5 ms. The frame grid puts it halfway between the
    /// centres of frames 6 and 7 whatever c is (77.5 ms), as does `--frame-grid`.
    @Test func boundariesFallWhereTheScoresCross() throws {
        let compiled = try aligner.compiler.compile(utterance: "u", transcript: "AB")
        let writer = AlignmentWriter(fbank: FbankOptions())
        for crossing in [6.05, 6.3, 6.5, 6.9] {
            // S S S, then A and B on frames 3..<11 with margin 2 (c − t), then S S S.
            var features = frames("SSSAAAABBBBSSS")
            for t in 3..<11 {
                let margin = Float(2 * (crossing - Double(t)))
                (features[t, 0], features[t, 1], features[t, 2]) = (0, 5 + margin / 2, 5 - margin / 2)
            }
            for subframe in [true, false] {
                var aligner = self.aligner
                aligner.options.subframeBoundaries = subframe
                let output = try #require(try aligner.align([ForcedAligner.Input(utterance: "u", transcript: compiled, features: features)],
                                                            workspace: NetworkWorkspace()).first?.get())
                let b = try #require(output.alignment.phones.firstIndex { $0.label == "B" })
                #expect(output.alignment.phones[b].start == 7)
                let expected = subframe ? crossing * 0.01 + 0.0125 : 0.0775
                let entries = writer.ctmEntries("u", output.alignment.phones, refined: writer.boundaryTimes(output.alignment))
                #expect(abs(entries[b].start - expected) < 1e-6, "crossing \(crossing), sub-frame \(subframe): B starts at \(entries[b].start)")
                #expect(abs(entries[b - 1].start + entries[b - 1].duration - expected) < 1e-6)
                #expect(subframe || output.alignment.boundaryShifts.isEmpty)
            }
        }
    }

    /// A padded batch gives each utterance what it gets alone; one with features of another
    /// dimension fails by itself, and one too short for its transcript says so.
    @Test func aBatchAlignsAsOneAtATimeAndFailuresStayWithTheirUtterance() throws {
        let compiled = try aligner.compiler.compile(utterance: "x", transcript: "AB")
        let inputs = [ForcedAligner.Input(utterance: "long", transcript: compiled, features: frames("SSSAAAAABBBSSSS")),
                      ForcedAligner.Input(utterance: "short", transcript: compiled, features: frames("AAABBB")),
                      ForcedAligner.Input(utterance: "tiny", transcript: compiled, features: frames("AB"))]
        let workspace = NetworkWorkspace()
        let together = aligner.align(inputs, workspace: workspace)
        for (input, outcome) in zip(inputs.prefix(2), together) {
            let alone = try #require(try aligner.align([input], workspace: workspace).first?.get())
            let batched = try outcome.get()
            #expect(batched.alignment == alone.alignment)
            #expect(abs(batched.logLikelihood - alone.logLikelihood) < 1e-3)
        }
        #expect(throws: AlignError.self) { try together[2].get() }

        var wrong = inputs
        wrong[1].features = Matrix(rows: 4, columns: 2)
        let mixed = aligner.align(wrong, workspace: workspace)
        #expect(try mixed[0].get().alignment == together[0].get().alignment)
        #expect(throws: AcousticModelError.inputDimension(expected: 3, found: 2)) { try mixed[1].get() }
    }

    /// The job over a features directory: every utterance with a transcript is aligned and its
    /// frame classes written; one without a transcript is listed in failed.txt with the reason.
    @Test func alignmentJobWritesFrameClassesAndListsFailures() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(["u1": frames("SSSAAABBBBSSS"), "u2": frames("SSSAAAAAABBBSSS"), "u3": frames("SSSAAABBBSSS")], to: dir + "/feats")
        var job = AlignmentJob(aligner: aligner, source: try FeatureSource(path: dir + "/feats"), transcripts: ["u1": "AB", "u2": "AB"])
        job.jobs = 2
        let result = try job.run(outputDirectory: dir + "/out")
        #expect(result.aligned == 2)
        #expect(result.failures.map(\.0) == ["u3"])
        #expect(try String(contentsOfFile: dir + "/out/failed.txt", encoding: .utf8) == "u3 no transcript in text\n")
        let archive = try KaldiArchiveReader(path: dir + "/out/ali.ark")
        var classes = [String: [Int32]]()
        while let (key, object) = try archive.next() { if case let .intVector(v) = object { classes[key] = v } }
        #expect(classes["u1"] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0])
        #expect(classes["u2"] == [0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 0, 0, 0])
        #expect(FileManager.default.fileExists(atPath: dir + "/out/textgrids/u2.TextGrid"))
    }
}
