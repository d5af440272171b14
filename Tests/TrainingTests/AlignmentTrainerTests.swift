import Acoustic
import Align
import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing
import Training
import Transcription

@Suite struct AlignmentTrainerTests {
    /// A two-phone corpus: quiet frames, then k frames of phone A and m of phone B (clearly
    /// different features), then quiet frames; every transcript is the one word "AB". The flat
    /// start puts the A–B boundary in the middle of the speech, which is wrong whenever k ≠ m;
    /// one round of training a frame-local classifier and re-aligning moves it to frame 6 + k.
    @Test func oneRealignmentRoundMovesAWrongBoundaryToTheRightFrame() throws {
        let runs = [(4, 12), (12, 4), (6, 10), (10, 6), (5, 11), (11, 5), (7, 9), (9, 7)]
        var features = [String: Matrix](), transcripts = [String: String]()
        for (i, (k, m)) in runs.enumerated() {
            var matrix = Matrix(rows: 0, columns: 3)
            for _ in 0..<6 { matrix.appendRow([-5, -5, -5]) }
            for _ in 0..<k { matrix.appendRow([5, 0, 0]) }
            for _ in 0..<m { matrix.appendRow([0, 5, 0]) }
            for _ in 0..<6 { matrix.appendRow([-5, -5, -5]) }
            features["u\(i)"] = matrix
            transcripts["u\(i)"] = "AB"
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")
        var options = AlignmentTrainingOptions()
        options.rounds = 1
        options.localRounds = 1
        options.localSplice = 0
        options.network = tinyOptions(layers: 0, epochs: 60, batchSize: 16, learningRate: 0.05)
        let lexicon = Lexicon(entries: [(word: "AB", phones: ["A", "B"]), (word: "SIL", phones: ["SIL"])])
        let trainer = AlignmentTrainer(source: try FeatureSource(path: dir + "/feats"), transcripts: transcripts, lexicon: lexicon,
                                       options: options, modelDirectory: dir + "/model")
        _ = try trainer.run(resume: false)

        let labels = try String(contentsOfFile: dir + "/model/phones.txt", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        let a = Int32(labels.firstIndex(of: "A")!), b = Int32(labels.firstIndex(of: "B")!)
        func firstB(_ classes: [Int32]) -> Int? { classes.firstIndex(of: b) }
        let flat = try TargetTable.read(path: dir + "/model/ali.0.ark")
        for (i, (k, m)) in runs.enumerated() {
            let key = "u\(i)"
            // Flat start: the speech's 16 frames split evenly, B from its 9th frame.
            #expect(firstB(flat[key]!) == 6 + (k + m) / 2, "\(key) flat start")
            #expect(trainer.finalAlignment[key]?.firstIndex(of: a) == 6, "\(key) start of A")
            #expect(firstB(trainer.finalAlignment[key]!) == 6 + k, "\(key) A–B boundary")
        }
    }
}
