import Acoustic
import Core
import Corpus
import Foundation
import KaldiIO

/// What the trainer reports while it works (the library never prints).
public enum TrainingEvent: Sendable {
    /// A note: data summary, skipped utterances, resuming.
    case message(String)
    /// Batches done of the epoch's total.
    case progress(epoch: Int, batches: Int, of: Int)
    /// An epoch finished.
    case epoch(EpochReport)
    /// Early stopping ended training after `of` epochs and returned epoch `epoch`'s model.
    case kept(epoch: Int, of: Int)
}

/// Trains a `BiLSTMNetwork` on frame-level targets (frame cross-entropy) or, with
/// `options.criterion` `.ctc`, on each utterance's label sequence (the CTC loss), over whole utterances:
/// mini-batches of utterances of similar length, Adam with gradient-norm clipping, learning-rate
/// decay when the validation loss stops improving, a held-out validation set (a share of every speaker's utterances), and a
/// model plus checkpoint in `modelDirectory` after every epoch:
///
///     MODEL_DIR/epoch-N.mdl   the model after epoch N (kept, like Kaldi's N.mdl)
///     MODEL_DIR/final.mdl     the latest model
///     MODEL_DIR/checkpoint    optimiser moments and trainer state, for `resume`
///     MODEL_DIR/train.log     one line per epoch;  MODEL_DIR/history.json  the same as JSON (for reports)
///
/// Deterministic for a seed: batch order, split and dropout come from seeded generators derived
/// from the seed and the epoch, so a resumed run ends with the same model as an uninterrupted one.
/// How the data becomes batches is in `NetworkTrainer+Batches.swift`; parallel model copies and
/// their launched form in `NetworkTrainer+Copies.swift`.
public final class NetworkTrainer {
    public let source: FeatureSource
    public let targets: [String: FrameLabels]
    public let classLabels: [String]
    public let options: TrainingOptions
    public let modelDirectory: String
    public var onEvent: ((TrainingEvent) -> Void)?
    /// Start from this model's weights and input normalisation instead of a random network
    /// (its topology must match the options).
    public var initialModel: AcousticModel?

    struct Item: Codable { var key: String; var frames: Int; var start = 0 }

    /// What indexing the features found: the utterances with features and matching targets, their
    /// frame counts, and the input normalisation statistics (before splicing). Features do not
    /// change between re-alignment rounds, so a round hands its index to the next instead of
    /// re-reading every archive.
    public struct FeatureIndex: Codable, Sendable {
        let items: [Item]
        let dimension: Int
        let mean: [Float]
        let scale: [Float]
    }

    /// Set before `run` to reuse an index (used only if every indexed utterance still has targets
    /// of its length); after `run`, the index that was used.
    public var featureIndex: FeatureIndex?

    /// Run each epoch's `trainJobs` model copies as separate processes through this launcher
    /// (`parrot train-worker epoch …`, one job per copy) instead of threads here. The result is the
    /// same model: the jobs see the same batches with the same seeds, and are averaged in job order.
    /// Job files and logs go to `MODEL_DIR/jobs/`.
    public var launcher: JobLauncher?
    /// After `run`, the report of the epoch whose model it returned (the best one with early
    /// stopping, else the last).
    public private(set) var returnedEpoch: EpochReport?
    /// Whether this run has written `MODEL_DIR/jobs/job.json` yet.
    var launchedJobWritten = false

    public init(source: FeatureSource, targets: [String: FrameLabels], classLabels: [String], options: TrainingOptions, modelDirectory: String) {
        self.source = source
        self.targets = targets
        self.classLabels = classLabels
        self.options = options
        self.modelDirectory = modelDirectory
    }

    /// The same, with each utterance's targets as an array.
    public convenience init(source: FeatureSource, targets: [String: [Int32]], classLabels: [String], options: TrainingOptions, modelDirectory: String) {
        self.init(source: source, targets: targets.mapValues(FrameLabels.init), classLabels: classLabels, options: options, modelDirectory: modelDirectory)
    }

    func path(_ name: String) -> String { (modelDirectory as NSString).appendingPathComponent(name) }

    /// Trains (or resumes) and returns the final model.
    /// - Parameter resume: continue from `MODEL_DIR/checkpoint` if it exists.
    /// - Throws: `AcousticModelError.noTrainingData` when no utterance has both features and targets;
    ///   I/O errors for unreadable archives.
    public func run(resume: Bool) throws -> AcousticModel {
        try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
        let index = try reusableIndex() ?? indexFeatures()
        featureIndex = index
        let (trainItems, validItems) = split(index.items)
        onEvent?(.message("training on \(trainItems.count) utterances (\(trainItems.reduce(0) { $0 + $1.frames }) frames), validating on \(validItems.count); \(classLabels.count) classes, input \(index.dimension)×\(2 * options.splice + 1)"))
        var (model, optimizer, state) = try startingPoint(index, resume: resume)
        let workspace = NetworkWorkspace()
        var gradient = [Float](repeating: 0, count: model.network.parameterCount)
        let trainBatches = batches(chunked(trainItems)), validBatches = batches(validItems)
        let limit = options.epochLimit(batchesPerEpoch: trainBatches.count)
        // Epochs on CTC's blank plateau learn little: the limit's steps count from the end of it.
        while state.epoch < limit + (state.warmupEpochs ?? 0) && !shouldStop(state) {
            let epoch = state.epoch + 1
            let started = Date()
            optimizer.learningRate = state.learningRate
            let trained = try trainEpoch(epoch, trainBatches, model: &model, optimizer: &optimizer, state: state, workspace: workspace, gradient: &gradient)
            let validation = try validate(validBatches, model: model, workspace: workspace)
            let elapsed = Date().timeIntervalSince(started)
            let report = EpochReport(epoch: epoch, trainLoss: trained.loss / Double(max(1, trained.frames)),
                                     trainAccuracy: Double(trained.correct) / Double(max(1, trained.frames)),
                                     validationLoss: validation.map { $0.loss / Double(max(1, $0.frames)) },
                                     validationAccuracy: validation.map { Double($0.correct) / Double(max(1, $0.frames)) },
                                     learningRate: state.learningRate, framesPerSecond: Double(trained.frames) / elapsed, elapsedSeconds: elapsed)
            // Within the warm-up the rate stays and no epoch counts against the patience. It ends
            // early once the validation loss is below half the first epoch's (off the plateau).
            let firstLoss = state.history.first?.validationLoss ?? report.validationLoss ?? 0
            let warming = optimizer.step < options.warmupSteps ?? 0 && (report.validationLoss ?? 0) > 0.5 * firstLoss
            state.record(report, optimizerStep: optimizer.step, decay: warming ? 1 : options.learningRateDecay)
            if warming, state.epochsSinceBest != nil, state.bestEpoch != report.epoch { state.epochsSinceBest = 0 }
            if warming { state.warmupEpochs = (state.warmupEpochs ?? 0) + 1 }
            try save(model, state: state, optimizer: optimizer)
            onEvent?(.epoch(report))
        }
        returnedEpoch = state.history.last
        // Early stopping keeps the epoch that generalised best, not the last one.
        if options.patience != nil, let best = state.bestEpoch, best != state.epoch {
            model = try ModelFile.read(path: path("epoch-\(best).mdl"))
            try ModelFile.write(model, to: path("final.mdl"))
            returnedEpoch = state.history.first { $0.epoch == best }
            onEvent?(.kept(epoch: best, of: state.epoch))
        }
        return model
    }

    /// Whether early stopping ends training after the checkpoint's epoch: `patience` epochs in a
    /// row without a lower validation loss.
    private func shouldStop(_ state: TrainingCheckpoint) -> Bool {
        guard let patience = options.patience, let since = state.epochsSinceBest else { return false }
        return since >= patience
    }

    /// The model, optimiser and trainer state to start from: a random network (or the initial
    /// model's weights), or the checkpoint's when resuming.
    private func startingPoint(_ index: FeatureIndex, resume: Bool) throws -> (AcousticModel, AdamOptimizer, TrainingCheckpoint) {
        let width = 2 * options.splice + 1
        let mean = Array((0..<width).map { _ in index.mean }.joined()), scale = Array((0..<width).map { _ in index.scale }.joined())
        let configuration = options.configuration(featureDimension: index.dimension, classes: classLabels.count)
        var random = SeededGenerator(seed: options.seed)
        let criterion = options.criterion ?? .framewise
        var model = AcousticModel(features: source.settings, cmvn: source.cmvn, varianceNormalization: source.varianceNormalization, inputMean: mean, inputScale: scale,
                                  classLabels: classLabels, network: BiLSTMNetwork(configuration: configuration, random: &random), criterion: criterion)
        if let initialModel {
            guard initialModel.configuration == configuration, initialModel.classLabels == classLabels else {
                throw AcousticModelError.corrupt(path: "initial model", reason: "its topology or phone set differs from the training options")
            }
            guard initialModel.varianceNormalization == source.varianceNormalization else {
                throw AcousticModelError.corrupt(path: "initial model", reason: "its features were normalised differently (variance: \(initialModel.varianceNormalization.rawValue))")
            }
            model = AcousticModel(features: source.settings, cmvn: source.cmvn, varianceNormalization: source.varianceNormalization, inputMean: initialModel.inputMean, inputScale: initialModel.inputScale,
                                  classLabels: classLabels, network: BiLSTMNetwork(configuration: configuration, parameters: initialModel.network.parameters),
                                  criterion: criterion)
        }
        var optimizer = AdamOptimizer(parameterCount: model.network.parameterCount, learningRate: options.learningRate)
        optimizer.clipNorm = options.clipNorm
        let state = TrainingCheckpoint(epoch: 0, learningRate: options.learningRate, bestValidationLoss: nil, optimizerStep: 0,
                                       parameterCount: model.network.parameterCount, options: options, history: [])
        guard resume, FileManager.default.fileExists(atPath: path("checkpoint")) else { return (model, optimizer, state) }
        let (saved, savedOptimizer) = try TrainingCheckpoint.read(path: path("checkpoint"))
        let savedModel = try ModelFile.read(path: path("epoch-\(saved.epoch).mdl"))
        guard savedModel.configuration == configuration, saved.parameterCount == model.network.parameterCount,
              savedModel.varianceNormalization == source.varianceNormalization else {
            throw AcousticModelError.corrupt(path: path("checkpoint"), reason: "checkpoint was made with different settings; remove it or use the same options")
        }
        onEvent?(.message("resuming after epoch \(saved.epoch)"))
        return (savedModel, savedOptimizer, saved)
    }

    /// One epoch of training: one model, or `trainJobs` copies (threads or launched jobs) whose
    /// weights and optimiser moments are averaged. Returns the summed loss, frames and correct frames.
    private func trainEpoch(_ epoch: Int, _ trainBatches: [[Item]], model: inout AcousticModel, optimizer: inout AdamOptimizer, state: TrainingCheckpoint,
                            workspace: NetworkWorkspace, gradient: inout [Float]) throws -> ShardTotals {
        let order = epochOrder(epoch, batches: trainBatches.count)
        let jobs = WorkerPool.jobCount(options.trainJobs ?? 1, items: order.count)
        if let launcher {
            return average(try runLaunched(launcher, epoch: epoch, jobs: jobs, model: model, optimizer: optimizer, state: state), into: &model, optimizer: &optimizer)
        }
        if jobs > 1 {
            return average(try trainCopies(epoch, jobs: jobs, order: order, trainBatches, model: model, optimizer: optimizer), into: &model, optimizer: &optimizer)
        }
        return try trainShard(order.map { trainBatches[$0] }, model: &model, optimizer: &optimizer, workspace: workspace,
                              gradient: &gradient, epoch: epoch, job: 0) { n in
            self.onEvent?(.progress(epoch: epoch, batches: n, of: order.count))
        }
    }

    /// Loss, frames and correctly classified frames over the validation batches (nil without any).
    private func validate(_ validBatches: [[Item]], model: AcousticModel, workspace: NetworkWorkspace) throws -> ShardTotals? {
        guard !validBatches.isEmpty else { return nil }
        var totals = ShardTotals()
        for items in validBatches {
            var noMasking: SeededGenerator?
            let batch = try load(items, model: model, masking: &noMasking)
            model.network.forward(batch, workspace: workspace)
            totals.add(model.network.evaluate(batch, workspace: workspace))
        }
        return totals
    }

    /// The epoch's model (`epoch-N.mdl` and `final.mdl`), checkpoint and logs.
    private func save(_ model: AcousticModel, state: TrainingCheckpoint, optimizer: AdamOptimizer) throws {
        try ModelFile.write(model, to: path("epoch-\(state.epoch).mdl"))
        try state.write(optimizer: optimizer, to: path("checkpoint"))
        try AtomicFile.link(path("epoch-\(state.epoch).mdl"), to: path("final.mdl"))
        try AtomicFile.write(state.history.map { $0.line + "\n" }.joined(), to: path("train.log"))
        try JSONFile.write(state.history, to: path("history.json"))
    }

    /// One pass over `batches`, updating `model` and `optimizer`; `progress` after each batch.
    func trainShard(_ batches: [[Item]], model: inout AcousticModel, optimizer: inout AdamOptimizer, workspace: NetworkWorkspace,
                    gradient: inout [Float], epoch: Int, job: Int, progress: (Int) -> Void) throws -> ShardTotals {
        let salt = UInt64(epoch) &+ UInt64(job) << 32
        var dropout: SeededGenerator? = options.dropout > 0 ? SeededGenerator(seed: options.seed &+ 0xD0D0_0000 &+ salt) : nil
        var masking: SeededGenerator? = SeededGenerator(seed: options.seed &+ 0x3A5C_0000 &+ salt)
        var totals = ShardTotals()
        for (n, items) in batches.enumerated() {
            let batch = try load(items, model: model, masking: &masking)
            model.network.forward(batch, workspace: workspace, dropout: &dropout)
            for i in gradient.indices { gradient[i] = 0 }
            let result = model.network.backward(batch, workspace: workspace, gradient: &gradient)
            optimizer.update(parameters: &model.network.parameters, gradient: gradient)
            totals.add(result)
            progress(n + 1)
            if (n + 1) % 64 == 0 { FreedMemory.release() }
        }
        return totals
    }
}

/// Summed loss, frames and correctly classified frames of a pass over some batches.
struct ShardTotals {
    var loss = 0.0
    var frames = 0
    var correct = 0

    mutating func add(_ result: (loss: Double, frames: Int, correct: Int)) {
        loss += result.loss
        frames += result.frames
        correct += result.correct
    }
}

extension TrainingCheckpoint {
    /// Records a finished epoch: its report, the optimiser's step, the learning rate for the
    /// next epoch (multiplied by `decay` when the validation loss stopped improving), and the
    /// best epoch so far.
    mutating func record(_ report: EpochReport, optimizerStep: Int, decay: Float) {
        if let validLoss = report.validationLoss {
            if let best = bestValidationLoss, validLoss > best - 1e-4 * abs(best) {
                learningRate *= decay
                epochsSinceBest = (epochsSinceBest ?? 0) + 1
            } else {
                bestValidationLoss = validLoss
                bestEpoch = report.epoch
                epochsSinceBest = 0
            }
        }
        epoch = report.epoch
        self.optimizerStep = optimizerStep
        history.append(report)
    }
}
