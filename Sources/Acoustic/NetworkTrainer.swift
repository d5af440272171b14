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
}

/// Trains a `BiLSTMNetwork` on frame-level targets: frame cross-entropy over whole utterances,
/// mini-batches of utterances of similar length, Adam with gradient-norm clipping, learning-rate
/// decay when the validation loss stops improving, a held-out validation set (by speaker), and a
/// model plus checkpoint in `modelDirectory` after every epoch:
///
///     MODEL_DIR/epoch-N.mdl   the model after epoch N (kept, like Kaldi's N.mdl)
///     MODEL_DIR/final.mdl     the latest model
///     MODEL_DIR/checkpoint    optimiser moments and trainer state, for `resume`
///     MODEL_DIR/train.log     one line per epoch;  MODEL_DIR/history.json  the same as JSON (for reports)
///
/// Deterministic for a seed: batch order, split and dropout come from seeded generators derived
/// from the seed and the epoch, so a resumed run ends with the same model as an uninterrupted one.
public final class NetworkTrainer {
    public let source: FeatureSource
    public let targets: [String: [Int32]]
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

    /// What one model copy hands back for averaging.
    struct ShardResult {
        var parameters: [Float]
        var optimizer: AdamOptimizer
        var loss: Double
        var frames: Int
        var correct: Int
    }

    /// What a launched job needs to rebuild the trainer's batches: `MODEL_DIR/jobs/job.json`
    /// (with the feature index, so jobs read only the features of their own batches).
    struct LaunchedJob: Codable {
        var features: String
        var targets: String
        var classLabels: [String]
        var options: TrainingOptions
        var index: FeatureIndex
    }
    /// Whether this run has written `MODEL_DIR/jobs/job.json` yet.
    private var launchedJobWritten = false

    public init(source: FeatureSource, targets: [String: [Int32]], classLabels: [String], options: TrainingOptions, modelDirectory: String) {
        self.source = source
        self.targets = targets
        self.classLabels = classLabels
        self.options = options
        self.modelDirectory = modelDirectory
    }

    private func path(_ name: String) -> String { (modelDirectory as NSString).appendingPathComponent(name) }

    /// Trains (or resumes) and returns the final model.
    /// - Parameter resume: continue from `MODEL_DIR/checkpoint` if it exists.
    /// - Throws: `AcousticModelError.noTrainingData` when no utterance has both features and targets;
    ///   I/O errors for unreadable archives.
    public func run(resume: Bool) throws -> AcousticModel {
        try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
        let index: FeatureIndex
        if let reusable = featureIndex, reusable.items.allSatisfy({ targets[$0.key]?.count == $0.frames }) {
            index = reusable
        } else {
            index = try indexFeatures()
        }
        featureIndex = index
        let (items, dimension) = (index.items, index.dimension)
        let width = 2 * options.splice + 1
        let mean = Array((0..<width).map { _ in index.mean }.joined()), scale = Array((0..<width).map { _ in index.scale }.joined())
        let (trainItems, validItems) = split(items)
        onEvent?(.message("training on \(trainItems.count) utterances (\(trainItems.reduce(0) { $0 + $1.frames }) frames), validating on \(validItems.count); \(classLabels.count) classes, input \(dimension)×\(2 * options.splice + 1)"))

        let configuration = options.configuration(featureDimension: dimension, classes: classLabels.count)
        var random = SeededGenerator(seed: options.seed)
        var model = AcousticModel(features: source.settings, cmvn: source.cmvn, inputMean: mean, inputScale: scale,
                                  classLabels: classLabels, network: BiLSTMNetwork(configuration: configuration, random: &random))
        if let initialModel {
            guard initialModel.configuration == configuration, initialModel.classLabels == classLabels else {
                throw AcousticModelError.corrupt(path: "initial model", reason: "its topology or phone set differs from the training options")
            }
            model = AcousticModel(features: source.settings, cmvn: source.cmvn, inputMean: initialModel.inputMean, inputScale: initialModel.inputScale,
                                  classLabels: classLabels, network: BiLSTMNetwork(configuration: configuration, parameters: initialModel.network.parameters))
        }
        var optimizer = AdamOptimizer(parameterCount: model.network.parameterCount, learningRate: options.learningRate)
        optimizer.clipNorm = options.clipNorm
        var state = TrainingCheckpoint(epoch: 0, learningRate: options.learningRate, bestValidationLoss: nil, optimizerStep: 0,
                                       parameterCount: model.network.parameterCount, options: options, history: [])
        if resume, FileManager.default.fileExists(atPath: path("checkpoint")) {
            let (saved, savedOptimizer) = try TrainingCheckpoint.read(path: path("checkpoint"))
            let savedModel = try ModelFile.read(path: path("epoch-\(saved.epoch).mdl"))
            guard savedModel.configuration == configuration, saved.parameterCount == model.network.parameterCount else {
                throw AcousticModelError.corrupt(path: path("checkpoint"), reason: "checkpoint was made with different settings; remove it or use the same options")
            }
            model = savedModel
            optimizer = savedOptimizer
            state = saved
            onEvent?(.message("resuming after epoch \(saved.epoch)"))
        }

        let workspace = NetworkWorkspace()
        var gradient = [Float](repeating: 0, count: model.network.parameterCount)
        let trainBatches = batches(chunked(trainItems))
        let validBatches = batches(validItems)
        for epoch in (state.epoch + 1)...max(state.epoch + 1, options.epochs) where epoch <= options.epochs {
            let started = Date()
            let order = epochOrder(epoch, batches: trainBatches.count)
            optimizer.learningRate = state.learningRate
            var loss = 0.0, frames = 0, correct = 0
            let jobs = UtteranceWorkers.jobCount(options.trainJobs ?? 1, items: order.count)
            var shardResults = [ShardResult]()
            if let launcher {
                shardResults = try runLaunched(launcher, epoch: epoch, jobs: jobs, model: model, optimizer: optimizer, state: state)
            } else if jobs == 1 {
                let result = try trainShard(order.map { trainBatches[$0] }, model: &model, optimizer: &optimizer, workspace: workspace,
                                            gradient: &gradient, epoch: epoch, job: 0) { n in
                    self.onEvent?(.progress(epoch: epoch, batches: n, of: order.count))
                }
                (loss, frames, correct) = (result.loss, result.frames, result.correct)
            } else {
                // Parallel training with model averaging (Kaldi nnet3's way): J copies of the model
                // start from the same weights and optimiser state, each trains on every J-th batch,
                // then weights and Adam moments are averaged.
                let startParameters = model.network.parameters
                let startOptimizer = optimizer
                let lock = NSLock()
                var done = 0
                var results = [ShardResult?](repeating: nil, count: jobs)
                var failure: Error?
                let shared = model
                DispatchQueue.concurrentPerform(iterations: jobs) { job in
                    var copy = shared
                    copy.network = BiLSTMNetwork(configuration: shared.configuration, parameters: startParameters)
                    var jobOptimizer = startOptimizer
                    var jobGradient = [Float](repeating: 0, count: startParameters.count)
                    let shard = stride(from: job, to: order.count, by: jobs).map { trainBatches[order[$0]] }
                    do {
                        let r = try self.trainShard(shard, model: &copy, optimizer: &jobOptimizer, workspace: NetworkWorkspace(),
                                                    gradient: &jobGradient, epoch: epoch, job: job) { _ in
                            lock.lock(); done += 1; let n = done; lock.unlock()
                            self.onEvent?(.progress(epoch: epoch, batches: n, of: order.count))
                        }
                        lock.lock(); results[job] = ShardResult(parameters: copy.network.parameters, optimizer: jobOptimizer, loss: r.loss, frames: r.frames, correct: r.correct); lock.unlock()
                    } catch {
                        lock.lock(); failure = error; lock.unlock()
                    }
                }
                if let failure { throw failure }
                shardResults = results.compactMap { $0 }
            }
            if !shardResults.isEmpty {
                // Weights and Adam moments averaged in job order.
                let scale = 1 / Float(shardResults.count)
                var parameters = [Float](repeating: 0, count: model.network.parameterCount)
                var first = parameters, second = parameters
                for r in shardResults {
                    for i in parameters.indices {
                        parameters[i] += scale * r.parameters[i]
                        first[i] += scale * r.optimizer.firstMoment[i]
                        second[i] += scale * r.optimizer.secondMoment[i]
                    }
                    loss += r.loss
                    frames += r.frames
                    correct += r.correct
                }
                model.network.parameters = parameters
                let clipNorm = optimizer.clipNorm
                optimizer = AdamOptimizer(learningRate: optimizer.learningRate, step: shardResults.map(\.optimizer.step).max() ?? optimizer.step,
                                          firstMoment: first, secondMoment: second)
                optimizer.clipNorm = clipNorm
            }
            var validation: (loss: Double, frames: Int, correct: Int)?
            if !validBatches.isEmpty {
                var v = (loss: 0.0, frames: 0, correct: 0)
                for items in validBatches {
                    var noMasking: SeededGenerator?
                    let batch = try load(items, model: model, masking: &noMasking)
                    model.network.forward(batch, workspace: workspace)
                    let r = model.network.evaluate(batch, workspace: workspace)
                    v = (v.loss + r.loss, v.frames + r.frames, v.correct + r.correct)
                }
                validation = v
            }
            let elapsed = Date().timeIntervalSince(started)
            let validLoss = validation.map { $0.loss / Double(max(1, $0.frames)) }
            let report = EpochReport(epoch: epoch, trainLoss: loss / Double(max(1, frames)), trainAccuracy: Double(correct) / Double(max(1, frames)),
                                     validationLoss: validLoss, validationAccuracy: validation.map { Double($0.correct) / Double(max(1, $0.frames)) },
                                     learningRate: state.learningRate, framesPerSecond: Double(frames) / elapsed, elapsedSeconds: elapsed)
            // Learning-rate decay when validation stops improving.
            if let validLoss {
                if let best = state.bestValidationLoss, validLoss > best - 1e-4 * abs(best) {
                    state.learningRate *= options.learningRateDecay
                } else {
                    state.bestValidationLoss = validLoss
                }
            }
            state.epoch = epoch
            state.optimizerStep = optimizer.step
            state.history.append(report)
            try ModelFile.write(model, to: path("epoch-\(epoch).mdl"))
            try state.write(optimizer: optimizer, to: path("checkpoint"))
            try ModelFile.write(model, to: path("final.mdl"))
            try AtomicFile.write(state.history.map { $0.line + "\n" }.joined(), to: path("train.log"))
            try JSONFile.write(state.history, to: path("history.json"))
            onEvent?(.epoch(report))
        }
        return model
    }

    /// The epoch's batch order: a seeded shuffle, the same in every process.
    private func epochOrder(_ epoch: Int, batches count: Int) -> [Int] {
        var order = Array(0..<count)
        var shuffler = SeededGenerator(seed: options.seed &+ 0x5EED_0000 &+ UInt64(epoch))
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(shuffler.next() % UInt64(i + 1))) }
        return order
    }

    /// One epoch's model copies as launched jobs: the starting model and optimiser state go to
    /// `MODEL_DIR/jobs/epoch-E/`, each job writes its copy back there, and the copies are read in job order.
    private func runLaunched(_ launcher: JobLauncher, epoch: Int, jobs: Int, model: AcousticModel, optimizer: AdamOptimizer,
                             state: TrainingCheckpoint) throws -> [ShardResult] {
        let jobDirectory = JobLauncher.absolute(path("jobs"))
        let epochDirectory = (jobDirectory as NSString).appendingPathComponent("epoch-\(epoch)")
        try FileManager.default.createDirectory(atPath: epochDirectory, withIntermediateDirectories: true)
        if !launchedJobWritten, let featureIndex {
            let targetsPath = (jobDirectory as NSString).appendingPathComponent("targets.ark")
            try TargetTable.write(targets, to: targetsPath)
            let job = LaunchedJob(features: JobLauncher.absolute(source.directory), targets: targetsPath, classLabels: classLabels, options: options, index: featureIndex)
            try JSONFile.write(job, to: (jobDirectory as NSString).appendingPathComponent("job.json"))
            launchedJobWritten = true
        }
        func file(_ name: String) -> String { (epochDirectory as NSString).appendingPathComponent(name) }
        try ModelFile.write(model, to: file("start.mdl"))
        try state.write(optimizer: optimizer, to: file("start.ckpt"))
        onEvent?(.message("epoch \(epoch): \(jobs) training jobs through \(launcher.command) (logs in \(epochDirectory)/log)"))
        try launcher.run(jobs: jobs, log: file("log/train.JOB.log"), arguments: ["train-worker", "epoch", jobDirectory, String(epoch), "JOB", String(jobs)])
        var results = [ShardResult]()
        for job in 1...jobs {
            let copy = try ModelFile.read(path: file("out.\(job).mdl"))
            let (_, jobOptimizer) = try TrainingCheckpoint.read(path: file("out.\(job).ckpt"))
            let stats = try JSONFile.read([Double].self, from: file("out.\(job).json"))
            results.append(ShardResult(parameters: copy.network.parameters, optimizer: jobOptimizer, loss: stats[0], frames: Int(stats[1]), correct: Int(stats[2])))
        }
        for name in ["start.mdl", "start.ckpt"] + (1...jobs).flatMap({ ["out.\($0).mdl", "out.\($0).ckpt", "out.\($0).json"] }) {
            try? FileManager.default.removeItem(atPath: file(name))
        }
        return results
    }

    /// A launched job (`parrot train-worker epoch JOB_DIR EPOCH JOB JOBS`): trains copy `job`
    /// (1-based) of `jobs` for `epoch` from `JOB_DIR/epoch-E/start.*`, exactly as the in-process
    /// copy would, and writes `out.JOB.mdl`, `out.JOB.ckpt` and `out.JOB.json` (loss, frames, correct).
    public static func runLaunchedJob(directory: String, epoch: Int, job: Int, jobs: Int) throws {
        let spec = try JSONFile.read(LaunchedJob.self, from: (directory as NSString).appendingPathComponent("job.json"))
        let trainer = NetworkTrainer(source: try FeatureSource(path: spec.features), targets: try TargetTable.read(path: spec.targets),
                                     classLabels: spec.classLabels, options: spec.options, modelDirectory: directory)
        let epochDirectory = (directory as NSString).appendingPathComponent("epoch-\(epoch)")
        func file(_ name: String) -> String { (epochDirectory as NSString).appendingPathComponent(name) }
        var model = try ModelFile.read(path: file("start.mdl"))
        var (state, optimizer) = try TrainingCheckpoint.read(path: file("start.ckpt"))
        let (trainItems, _) = trainer.split(spec.index.items)
        let trainBatches = trainer.batches(trainer.chunked(trainItems))
        let order = trainer.epochOrder(epoch, batches: trainBatches.count)
        guard job >= 1, job <= jobs, jobs == UtteranceWorkers.jobCount(spec.options.trainJobs ?? 1, items: order.count) else {
            throw AcousticModelError.corrupt(path: directory, reason: "job \(job) of \(jobs) does not match the job description")
        }
        optimizer.learningRate = state.learningRate
        var gradient = [Float](repeating: 0, count: model.network.parameterCount)
        let shard = stride(from: job - 1, to: order.count, by: jobs).map { trainBatches[order[$0]] }
        let started = Date()
        let r = try trainer.trainShard(shard, model: &model, optimizer: &optimizer, workspace: NetworkWorkspace(), gradient: &gradient,
                                       epoch: epoch, job: job - 1) { _ in }
        state.optimizerStep = optimizer.step
        try ModelFile.write(model, to: file("out.\(job).mdl"))
        try state.write(optimizer: optimizer, to: file("out.\(job).ckpt"))
        try JSONFile.write([r.loss, Double(r.frames), Double(r.correct)], to: file("out.\(job).json"))
        print(String(format: "epoch %d, job %d of %d: %d batches, %d frames, loss %.4f, %.1f s", epoch, job, jobs, shard.count, r.frames,
                     r.loss / Double(max(1, r.frames)), Date().timeIntervalSince(started)))
    }

    /// Reads every utterance once: those with features and matching targets, and the input normalisation statistics.
    private func indexFeatures() throws -> FeatureIndex {
        var items = [Item]()
        var dimension = 0
        var sums = [Double](), squares = [Double](), count = 0.0
        var missing = 0
        for key in source.keys {
            guard let target = targets[key] else { missing += 1; continue }
            let m = try source.normalizedFeatures(key)
            if dimension == 0 {
                dimension = m.columns
                sums = [Double](repeating: 0, count: dimension)
                squares = sums
            }
            guard m.columns == dimension else { throw AcousticModelError.dimensionMismatch(utterance: key, expected: dimension, found: m.columns) }
            guard target.count == m.rows else {
                onEvent?(.message("skipping \(key): \(AcousticModelError.targetsMismatch(utterance: key, frames: m.rows, targets: target.count))"))
                continue
            }
            if let bad = target.first(where: { $0 < 0 || Int($0) >= classLabels.count }) {
                throw AcousticModelError.badTarget(utterance: key, value: bad, classes: classLabels.count)
            }
            guard m.rows > 0 else { continue }
            for t in 0..<m.rows { for j in 0..<dimension { let x = Double(m[t, j]); sums[j] += x; squares[j] += x * x } }
            count += Double(m.rows)
            items.append(Item(key: key, frames: m.rows))
        }
        if missing > 0 { onEvent?(.message("\(missing) utterances have features but no targets (not used)")) }
        guard !items.isEmpty else { throw AcousticModelError.noTrainingData(reason: "no utterance has both features and targets") }
        let mean = sums.map { Float($0 / count) }
        let scale = zip(sums, squares).map { s, q -> Float in
            let variance = max(q / count - (s / count) * (s / count), 1e-8)
            return Float(1 / variance.squareRoot())
        }
        return FeatureIndex(items: items, dimension: dimension, mean: mean, scale: scale)
    }

    /// Held-out utterances: whole speakers when there are several, else a share of utterances.
    private func split(_ items: [Item]) -> (train: [Item], valid: [Item]) {
        guard options.validationFraction > 0, items.count > 1 else { return (items, []) }
        var random = SeededGenerator(seed: options.seed &+ 0x5B17)
        // Augmented copies (spF-UTT, nsSNR-UTT) go with their speaker and are not validated on.
        func speaker(_ item: Item) -> String { FeatureJobOptions.unperturbedKey(source.speaker(of: item.key)).key }
        let speakers = Array(Set(items.map(speaker))).sorted(by: cLocaleLess)
        if speakers.count >= 2 {
            var shuffled = speakers
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            let held = Set(shuffled.prefix(max(1, Int((Double(speakers.count) * options.validationFraction).rounded()))))
            return (items.filter { !held.contains(speaker($0)) },
                    items.filter { held.contains(speaker($0)) && !FeatureJobOptions.isCopy($0.key) })
        }
        var shuffled = Array(Set(items.map { FeatureJobOptions.unperturbedKey($0.key).key })).sorted(by: cLocaleLess)
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        let held = Set(shuffled.prefix(max(1, Int((Double(shuffled.count) * options.validationFraction).rounded()))))
        return (items.filter { !held.contains(FeatureJobOptions.unperturbedKey($0.key).key) }, items.filter { held.contains($0.key) })
    }

    /// Utterances sorted by length and cut into batches of `batchSize`, so padding is small.
    private func batches(_ items: [Item]) -> [[Item]] {
        let sorted = items.sorted { ($0.frames, $0.key) < ($1.frames, $1.key) }
        return stride(from: 0, to: sorted.count, by: options.batchSize).map { Array(sorted[$0..<min($0 + options.batchSize, sorted.count)]) }
    }

    /// One pass over `batches`, updating `model` and `optimizer`; `progress` after each batch.
    private func trainShard(_ batches: [[Item]], model: inout AcousticModel, optimizer: inout AdamOptimizer, workspace: NetworkWorkspace,
                            gradient: inout [Float], epoch: Int, job: Int, progress: (Int) -> Void) throws -> (loss: Double, frames: Int, correct: Int) {
        let salt = UInt64(epoch) &+ UInt64(job) << 32
        var dropout = SeededGenerator(seed: options.seed &+ 0xD0D0_0000 &+ salt)
        var masking: SeededGenerator? = SeededGenerator(seed: options.seed &+ 0x3A5C_0000 &+ salt)
        var loss = 0.0, frames = 0, correct = 0
        for (n, items) in batches.enumerated() {
            let batch = try load(items, model: model, masking: &masking)
            withUnsafeMutablePointer(to: &dropout) { model.network.forward(batch, workspace: workspace, dropoutRandom: options.dropout > 0 ? $0 : nil) }
            for i in gradient.indices { gradient[i] = 0 }
            let result = model.network.backward(batch, workspace: workspace, gradient: &gradient)
            optimizer.update(parameters: &model.network.parameters, gradient: gradient)
            loss += result.loss
            frames += result.frames
            correct += result.correct
            progress(n + 1)
        }
        return (loss, frames, correct)
    }

    /// Training items cut into pieces of `chunkFrames` (a remainder under half a piece joins the last one).
    private func chunked(_ items: [Item]) -> [Item] {
        guard let size = options.chunkFrames, size > 0 else { return items }
        var out = [Item]()
        for item in items {
            var start = 0
            while start < item.frames {
                var end = min(item.frames, start + size)
                if item.frames - end < size / 2 { end = item.frames }
                out.append(Item(key: item.key, frames: end - start, start: start))
                start = end
            }
        }
        return out
    }

    /// A batch of `items`; with a `masking` generator (training), inputs are masked as the options ask.
    private func load(_ items: [Item], model: AcousticModel, masking: inout SeededGenerator?) throws -> Batch {
        var inputs = [[Float]]()
        var batchTargets = [[Int32]]()
        let dimension = model.configuration.inputDimension
        var cache: (key: String, values: [Float])?
        for item in items {
            if cache?.key != item.key {
                cache = (item.key, try source.input(item.key, splice: options.splice, mean: model.inputMean, scale: model.inputScale).values)
            }
            let values = cache!.values, target = targets[item.key]!
            let whole = item.start == 0 && item.frames == target.count
            var input = whole ? values : Array(values[(item.start * dimension)..<((item.start + item.frames) * dimension)])
            if masking != nil {
                InputMasking(frequencyWidth: options.frequencyMaskWidth ?? 0, timeWidth: options.timeMaskWidth ?? 0, splice: options.splice)
                    .apply(to: &input, frames: item.frames, random: &masking!)
            }
            inputs.append(input)
            batchTargets.append(whole ? target : Array(target[item.start..<(item.start + item.frames)]))
        }
        return Batch(keys: items.map(\.key), inputs: inputs, targets: batchTargets, dimension: dimension)
    }
}
