import Acoustic
import Align
import Core
import Corpus
import Foundation
import KaldiIO
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
        let (dir, runs) = try Self.twoPhoneCorpus()
        let options = Self.oneLocalRound()
        let trainer = AlignmentTrainer(source: try FeatureSource(path: dir + "/feats"), transcripts: Self.transcripts(runs), lexicon: Self.lexicon,
                                       options: options, modelDirectory: dir + "/model")
        _ = try trainer.run(resume: false)

        let (a, b) = try Self.classes(dir + "/model")
        func firstB(_ classes: FrameLabels) -> Int? { classes.firstIndex(of: b) }
        let flat = try TargetTable.read(path: dir + "/model/ali.0.ark")
        for (i, (k, m)) in runs.enumerated() {
            let key = "u\(i)"
            // Flat start: the speech's 16 frames split evenly, B from its 9th frame.
            #expect(firstB(flat[key]!) == 6 + (k + m) / 2, "\(key) flat start")
            #expect(trainer.finalAlignment[key]?.firstIndex(of: a) == 6, "\(key) start of A")
            #expect(firstB(trainer.finalAlignment[key]!) == 6 + k, "\(key) A–B boundary")
        }
    }

    /// Adapting a model (`initialModel`) starts from the model's own alignment, never from a
    /// uniform one: on the same corpus, the first alignment already has every A–B boundary at
    /// frame 6 + k. Round 1 is a fresh frame-local classifier learning from that alignment (though
    /// the starting model, a frame-local classifier itself, has its shape), and round 2 continues
    /// the starting model.
    @Test func adaptationStartsFromTheModelsAlignmentNotAFlatStart() throws {
        let (dir, runs, source, start) = try Self.startingModel()
        var options = Self.oneLocalRound()
        options.rounds = 2
        options.network.epochs = 2
        // Network options that disagree with the starting model do not make adaptation start afresh.
        options.network.splice = 2
        options.adaptationLearningRate = 1e-6
        let adapter = AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options, modelDirectory: dir + "/adapted")
        adapter.initialModel = start
        _ = try adapter.run(resume: false)
        let (_, b) = try Self.classes(dir + "/adapted")
        let first = try TargetTable.read(path: dir + "/adapted/ali.0.ark")
        for (i, (k, _)) in runs.enumerated() {
            #expect(first["u\(i)"]?.firstIndex(of: b) == 6 + k, "u\(i) first alignment")
            #expect(adapter.finalAlignment["u\(i)"]?.firstIndex(of: b) == 6 + k, "u\(i) after adaptation")
        }
        func largestChange(_ model: AcousticModel) -> Float {
            zip(model.network.parameters, start.network.parameters).map { abs($0 - $1) }.max() ?? .infinity
        }
        // Round 1 trained a new classifier: far from the starting weights (1.5 here; continuing them, 2 epochs move them by 0.05).
        let local = try ModelFile.read(path: dir + "/adapted/round-1/epoch-1.mdl")
        #expect(local.configuration == start.configuration)
        #expect(largestChange(local) > 0.5, "\(largestChange(local))")
        // Round 2 continued the starting model: its topology, and (at this tiny learning rate) nearly its weights.
        let continued = try ModelFile.read(path: dir + "/adapted/round-2/epoch-1.mdl")
        #expect(continued.configuration == start.configuration)
        #expect(largestChange(continued) < 1e-3)
    }

    /// `fitThreshold`: the starting model's fit is the mean over every frame of its log-posterior
    /// of the class its first alignment gives the frame (summed here from the network's output);
    /// a threshold it meets returns the model untrained, one it cannot meet (above 0) trains.
    @Test func aModelThatFitsTheCorpusIsNotAdapted() throws {
        let (dir, runs, source, start) = try Self.startingModel()
        var options = Self.oneLocalRound()
        options.network.epochs = 1
        func adapter(_ name: String, threshold: Double) -> AlignmentTrainer {
            let trainer = AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options,
                                           modelDirectory: dir + "/" + name)
            trainer.initialModel = start
            trainer.fitThreshold = threshold
            return trainer
        }
        let probe = adapter("probe", threshold: 1)
        _ = try probe.run(resume: false)
        #expect(!probe.fitted)
        #expect(FileManager.default.fileExists(atPath: dir + "/probe/round-1"))
        // The fit, from the network's log-posteriors along the first alignment.
        let first = try TargetTable.read(path: dir + "/probe/ali.0.ark")
        var total = 0.0, frames = 0
        let workspace = NetworkWorkspace(inferenceOnly: true)
        for key in first.keys {
            let posteriors = try start.logPosteriors(try source.normalizedFeatures(key), workspace: workspace)
            for (t, c) in first[key]!.enumerated() { total += Double(posteriors[t, Int(c)]) }
            frames += first[key]!.count
        }
        let fit = try #require(probe.startingFit)
        #expect(abs(fit - total / Double(frames)) < 1e-6)
        #expect(fit <= 0)
        // Met: the same model back, nothing trained.
        let fitting = adapter("fitting", threshold: fit - 1e-9)
        let returned = try fitting.run(resume: false)
        #expect(fitting.fitted)
        #expect(returned.network.parameters == start.network.parameters)
        #expect(!FileManager.default.fileExists(atPath: dir + "/fitting/round-1"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/fitting/final.mdl"))
        // Just missed: trained.
        let missed = adapter("missed", threshold: fit + 1e-3)
        _ = try missed.run(resume: false)
        #expect(!missed.fitted)
        #expect(FileManager.default.fileExists(atPath: dir + "/missed/final.mdl"))
    }

    /// A model directory begun with a flat start is not resumed as an adaptation (its first
    /// alignment and rounds would be reused), and the reverse; a new directory is fine.
    @Test func resumingWithTheOtherKindOfStartIsRefused() throws {
        let (dir, runs) = try Self.twoPhoneCorpus()
        let source = try FeatureSource(path: dir + "/feats")
        var options = Self.oneLocalRound()
        options.network.epochs = 1
        let start = try AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options,
                                         modelDirectory: dir + "/flat").run(resume: true)
        let adapter = AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options, modelDirectory: dir + "/flat")
        adapter.initialModel = start
        #expect(throws: TrainingError.differentStart(directory: dir + "/flat", begun: "a flat start", requested: "a starting model (--init-model)")) {
            try adapter.run(resume: true)
        }
        // Resuming the same way, or adapting into a new directory, goes on.
        _ = try AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options, modelDirectory: dir + "/flat").run(resume: true)
        let fresh = AlignmentTrainer(source: source, transcripts: Self.transcripts(runs), lexicon: Self.lexicon, options: options, modelDirectory: dir + "/adapted")
        fresh.initialModel = start
        _ = try fresh.run(resume: true)
    }

    /// `twoPhoneCorpus`, its features, and a model trained on it (in DIR/start) to adapt.
    static func startingModel() throws -> (dir: String, runs: [(Int, Int)], source: FeatureSource, model: AcousticModel) {
        let (dir, runs) = try twoPhoneCorpus()
        let source = try FeatureSource(path: dir + "/feats")
        let model = try AlignmentTrainer(source: source, transcripts: transcripts(runs), lexicon: lexicon, options: oneLocalRound(),
                                         modelDirectory: dir + "/start").run(resume: false)
        return (dir, runs, source, model)
    }

    /// Quiet frames, k frames of phone A, m of phone B, quiet frames, for eight (k, m).
    static func twoPhoneCorpus() throws -> (dir: String, runs: [(Int, Int)]) {
        let runs = [(4, 12), (12, 4), (6, 10), (10, 6), (5, 11), (11, 5), (7, 9), (9, 7)]
        var features = [String: Matrix]()
        for (i, (k, m)) in runs.enumerated() {
            var matrix = Matrix(rows: 0, columns: 3)
            for _ in 0..<6 { matrix.appendRow([-5, -5, -5]) }
            for _ in 0..<k { matrix.appendRow([5, 0, 0]) }
            for _ in 0..<m { matrix.appendRow([0, 5, 0]) }
            for _ in 0..<6 { matrix.appendRow([-5, -5, -5]) }
            features["u\(i)"] = matrix
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")
        return (dir, runs)
    }

    static func transcripts(_ runs: [(Int, Int)]) -> PackedTable {
        PackedTable(runs.indices.lazy.map { (key: "u\($0)", value: "AB") })
    }

    static let lexicon = Lexicon(entries: [(word: "AB", phones: ["A", "B"]), (word: "SIL", phones: ["SIL"])])

    /// One round of a frame-local classifier on single frames, trained long enough for this corpus.
    static func oneLocalRound() -> AlignmentTrainingOptions {
        var options = AlignmentTrainingOptions()
        options.rounds = 1
        options.localRounds = 1
        options.localSplice = 0
        options.network = tinyOptions(layers: 0, epochs: 60, batchSize: 16, learningRate: 0.05)
        options.adaptationLearningRate = 0.01
        return options
    }

    /// The class numbers of phones A and B in a model directory's phones.txt.
    static func classes(_ modelDirectory: String) throws -> (a: Int32, b: Int32) {
        let labels = try String(contentsOfFile: modelDirectory + "/phones.txt", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        return (Int32(labels.firstIndex(of: "A")!), Int32(labels.firstIndex(of: "B")!))
    }
}

