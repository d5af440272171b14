import Acoustic
import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing
import Training

/// Options for a tiny network trained on a few utterances, every one of them used for training.
func tinyOptions(layers: Int, hiddenUnits: Int = 8, epochs: Int, batchSize: Int, learningRate: Float = 1e-3) -> TrainingOptions {
    var options = TrainingOptions()
    options.layers = layers
    options.hiddenUnits = hiddenUnits
    options.epochs = epochs
    options.batchSize = batchSize
    options.learningRate = learningRate
    options.validationFraction = 0
    return options
}

@Suite struct NetworkTrainerTests {
    /// Frames of two random features, labelled 1 where the first exceeds the second: after
    /// training, the network labels new frames by the same rule.
    @Test func learnsAKnownMappingOnATinyProblem() throws {
        var random = SeededGenerator(seed: 7)
        func utterance(_ frames: Int) -> (Matrix, [Int32]) {
            var m = Matrix(rows: 0, columns: 2)
            var labels = [Int32]()
            for _ in 0..<frames {
                let x = Float(random.gaussian()), y = Float(random.gaussian())
                m.appendRow([x, y])
                labels.append(x > y ? 1 : 0)
            }
            return (m, labels)
        }
        var features = [String: Matrix](), targets = [String: [Int32]]()
        for i in 0..<12 { (features["u\(i)"], targets["u\(i)"]) = utterance(40) }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")

        let options = tinyOptions(layers: 1, epochs: 40, batchSize: 4, learningRate: 0.02)
        let trainer = NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["below", "above"],
                                     options: options, modelDirectory: dir + "/model")
        let model = try trainer.run(resume: false)

        var correct = 0, total = 0
        let workspace = NetworkWorkspace()
        for _ in 0..<5 {
            let (m, labels) = utterance(60)
            let posteriors = try model.logPosteriors(m, workspace: workspace)
            for t in 0..<m.rows {
                let best: Int32 = posteriors[t, 1] > posteriors[t, 0] ? 1 : 0
                correct += best == labels[t] ? 1 : 0
                total += 1
            }
        }
        #expect(Double(correct) / Double(total) > 0.95)
        // Every epoch left its model and a log line.
        #expect(FileManager.default.fileExists(atPath: dir + "/model/epoch-40.mdl"))
        #expect(try String(contentsOfFile: dir + "/model/train.log", encoding: .utf8).split(separator: "\n").count == 40)
    }

    /// Two copies averaged each epoch, as threads or as one process, are the same computation:
    /// resuming from the checkpoint after epoch 2 ends with the model an uninterrupted run gives.
    @Test func resumingFromACheckpointGivesTheUninterruptedModel() throws {
        var random = SeededGenerator(seed: 3)
        var features = [String: Matrix](), targets = [String: [Int32]]()
        for i in 0..<8 {
            var m = Matrix(rows: 0, columns: 3)
            for _ in 0..<20 { m.appendRow([Float(random.gaussian()), Float(random.gaussian()), Float(random.gaussian())]) }
            features["u\(i)"] = m
            targets["u\(i)"] = (0..<20).map { Int32(($0 / 5) % 2) }
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")
        let source = try FeatureSource(path: dir + "/feats")
        var options = tinyOptions(layers: 1, hiddenUnits: 4, epochs: 4, batchSize: 2)
        options.trainJobs = 2
        options.validationFraction = 0.1
        let whole = try NetworkTrainer(source: source, targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/whole").run(resume: false)
        options.epochs = 2
        _ = try NetworkTrainer(source: source, targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/split").run(resume: false)
        options.epochs = 4
        let resumed = try NetworkTrainer(source: source, targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/split").run(resume: true)
        #expect(resumed.network.parameters == whole.network.parameters)
    }

    /// The epoch limit rises with `minimumSteps` on a corpus of few batches, never above the
    /// bound, and an explicit epoch count (no `minimumSteps`) is kept as it is.
    @Test func theEpochLimitScalesWithTheBatchesOfAnEpoch() {
        var options = TrainingOptions()
        options.epochs = 3
        #expect(options.epochLimit(batchesPerEpoch: 8) == 3)
        options.minimumSteps = 150
        #expect(options.epochLimit(batchesPerEpoch: 113) == 3)   // 339 steps already
        #expect(options.epochLimit(batchesPerEpoch: 34) == 5)    // ⌈150 / 34⌉
        #expect(options.epochLimit(batchesPerEpoch: 8) == 19)    // ⌈150 / 8⌉
        #expect(options.epochLimit(batchesPerEpoch: 1) == TrainingOptions.maximumEpochs)
    }

    /// `parrot train`'s rounds: at least 150 optimiser steps or 3 epochs, whichever is more,
    /// at most 60 epochs, patience 2.
    @Test func theDefaultRoundsTrainAHundredAndFiftyStepsOrThreeEpochs() {
        let network = AlignmentTrainingOptions().network
        #expect(network.epochLimit(batchesPerEpoch: 113) == 3)    // 339 steps already
        #expect(network.epochLimit(batchesPerEpoch: 49) == 4)     // 147 steps in 3 epochs
        #expect(network.epochLimit(batchesPerEpoch: 34) == 5)     // ⌈150 / 34⌉
        #expect(network.epochLimit(batchesPerEpoch: 9) == 17)     // ⌈150 / 9⌉
        #expect(network.epochLimit(batchesPerEpoch: 2) == 60)     // ⌈150 / 2⌉ = 75, capped
        #expect(network.patience == 2)
    }

    /// 24 utterances of 30 frames of random features with random labels out of 3, written as a
    /// features directory (`DIR/feats`).
    static func unlearnableCorpus() throws -> (directory: String, targets: [String: [Int32]]) {
        var random = SeededGenerator(seed: 11)
        var features = [String: Matrix](), targets = [String: [Int32]]()
        for i in 0..<24 {
            var m = Matrix(rows: 0, columns: 4)
            for _ in 0..<30 { m.appendRow((0..<4).map { _ in Float(random.gaussian()) }) }
            features["u\(i)"] = m
            targets["u\(i)"] = (0..<30).map { _ in Int32(random.next() % 3) }
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")
        return (dir, targets)
    }

    /// Labels drawn at random cannot be learnt, so the validation loss soon rises while the
    /// training loss falls: with patience 2, training ends two epochs after the lowest
    /// validation loss of its log, long before the limit, and the model it returns (and its
    /// final.mdl) is that epoch's.
    @Test func earlyStoppingKeepsTheEpochWithTheLowestValidationLoss() throws {
        let (dir, targets) = try Self.unlearnableCorpus()
        var options = tinyOptions(layers: 1, hiddenUnits: 16, epochs: 60, batchSize: 2, learningRate: 0.02)
        options.validationFraction = 0.25
        options.patience = 2
        let model = try NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b", "c"],
                                       options: options, modelDirectory: dir + "/model").run(resume: false)
        let history = try JSONDecoder().decode([EpochReport].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/model/history.json")))
        let losses = history.map { $0.validationLoss! }
        let best = losses.indices.min { losses[$0] < losses[$1] }! + 1
        #expect(history.count < 60)
        #expect(history.count == best + 2)
        // No epoch after the best is lower; each of the two after it is no better.
        #expect(losses[best...].allSatisfy { $0 >= losses[best - 1] * (1 - 1e-4) })
        let kept = try ModelFile.read(path: dir + "/model/epoch-\(best).mdl")
        #expect(model.network.parameters == kept.network.parameters)
        #expect(try ModelFile.read(path: dir + "/model/final.mdl").network.parameters == kept.network.parameters)
    }

    /// Trains on the unlearnable labels with a warm-up of 60 steps (18 training utterances in
    /// batches of 2, validation on a quarter), options adjusted by `adjust`; the directory and
    /// the epochs' reports.
    static func trainWithWarmUp(epochs: Int, _ adjust: (inout TrainingOptions) -> Void) throws -> (String, [EpochReport]) {
        let (dir, targets) = try unlearnableCorpus()
        var options = tinyOptions(layers: 1, hiddenUnits: 16, epochs: epochs, batchSize: 2, learningRate: 0.02)
        options.validationFraction = 0.25
        options.warmupSteps = 60
        adjust(&options)
        _ = try NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b", "c"],
                               options: options, modelDirectory: dir + "/model").run(resume: false)
        return (dir, try JSONDecoder().decode([EpochReport].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/model/history.json"))))
    }

    /// Epochs spent in the warm-up on the plateau (validation loss above half the first epoch's)
    /// do not count against the epoch limit: a limit of 3 epochs with unlearnable labels and a
    /// 60-step warm-up (9 steps an epoch, so epochs 1–6 end inside it) trains 3 + 6 epochs.
    @Test func warmUpEpochsOnThePlateauDoNotCountAgainstTheLimit() throws {
        let (_, history) = try Self.trainWithWarmUp(epochs: 3) { $0.minimumSteps = 9 }
        let first = try #require(history.first?.validationLoss)
        #expect(history.prefix(6).allSatisfy { $0.validationLoss! > 0.5 * first })
        #expect(history.count == 9)
    }

    /// The same unlearnable labels with a warm-up of 60 steps (12 batches an epoch): no epoch
    /// within it decays the learning rate or counts against the patience, so training runs past
    /// the epoch where it stopped without one, and decays only after it; the epoch kept is still
    /// the one with the lowest validation loss.
    @Test func noDecayOrEarlyStopWithinTheWarmUp() throws {
        let (dir, history) = try Self.trainWithWarmUp(epochs: 60) { $0.patience = 2 }
        // 18 training utterances in batches of 2: 9 steps an epoch, so epochs 1–6 end inside the
        // warm-up (54 steps) and the rate of epochs 1–7 is the first one.
        #expect(history.count > 7)
        #expect(history.prefix(7).allSatisfy { $0.learningRate == 0.02 })
        #expect(history.contains { $0.learningRate < 0.02 })
        let losses = history.map { $0.validationLoss! }
        let best = losses.indices.min { losses[$0] < losses[$1] }! + 1
        #expect(try ModelFile.read(path: dir + "/model/final.mdl").network.parameters == ModelFile.read(path: dir + "/model/epoch-\(best).mdl").network.parameters)
    }
}
