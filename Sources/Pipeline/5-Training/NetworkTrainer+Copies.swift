import Acoustic
import Audio
import Core
import Corpus
import Foundation
import KaldiIO

/// Parallel training with model averaging (Kaldi nnet3's way): J copies of the model start from
/// the same weights and optimiser state, each trains on every J-th batch of the epoch, then their
/// weights and Adam moments are averaged in job order. The copies run as threads here or as
/// launched jobs (`parrot train-worker epoch …`); both give the same model.
extension NetworkTrainer {
    /// What one model copy hands back for averaging.
    struct ShardResult {
        var parameters: [Float]
        var optimizer: AdamOptimizer
        var totals: ShardTotals
    }

    /// What a launched job needs to rebuild the trainer's batches: `MODEL_DIR/jobs/job.json`
    /// (with the feature index, so jobs read only the features of their own batches).
    struct LaunchedJob: Codable {
        var features: String
        var targets: String
        var classLabels: [String]
        var options: TrainingOptions
        var index: FeatureIndex
        /// `FeatureSource.varianceNormalization` of the trainer's source (absent: none).
        var varianceNormalization: VarianceNormalization?
    }

    /// Copy `job`'s share of the epoch's batches: every `jobs`-th batch of the shuffled order.
    func shard(_ job: Int, of jobs: Int, order: [Int], _ trainBatches: [[Item]]) -> [[Item]] {
        stride(from: job, to: order.count, by: jobs).map { trainBatches[order[$0]] }
    }

    /// The epoch's `jobs` copies as threads of this process.
    func trainCopies(_ epoch: Int, jobs: Int, order: [Int], _ trainBatches: [[Item]], model: AcousticModel, optimizer: AdamOptimizer) throws -> [ShardResult] {
        let counter = ProgressCounter(total: order.count) { done, total in self.onEvent?(.progress(epoch: epoch, batches: done, of: total)) }
        let startParameters = model.network.parameters
        return try WorkerPool.parallel(parts: jobs) { job in
            // The network is a reference: each copy gets its own.
            var copy = model
            copy.network = BiLSTMNetwork(configuration: model.configuration, parameters: startParameters)
            var jobOptimizer = optimizer
            var gradient = [Float](repeating: 0, count: model.network.parameterCount)
            let totals = try trainShard(shard(job, of: jobs, order: order, trainBatches), model: &copy, optimizer: &jobOptimizer, workspace: NetworkWorkspace(),
                                        gradient: &gradient, epoch: epoch, job: job) { _ in counter.advance() }
            return ShardResult(parameters: copy.network.parameters, optimizer: jobOptimizer, totals: totals)
        }
    }

    /// Averages the copies' weights and Adam moments (in job order) into `model` and `optimizer`.
    /// - Returns: the copies' summed loss, frames and correct frames.
    func average(_ shards: [ShardResult], into model: inout AcousticModel, optimizer: inout AdamOptimizer) -> ShardTotals {
        var totals = ShardTotals()
        guard !shards.isEmpty else { return totals }
        let scale = 1 / Float(shards.count)
        var parameters = [Float](repeating: 0, count: model.network.parameterCount)
        var first = parameters, second = parameters
        for r in shards {
            for i in parameters.indices {
                parameters[i] += scale * r.parameters[i]
                first[i] += scale * r.optimizer.firstMoment[i]
                second[i] += scale * r.optimizer.secondMoment[i]
            }
            totals.add((r.totals.loss, r.totals.frames, r.totals.correct))
        }
        model.network.parameters = parameters
        let clipNorm = optimizer.clipNorm
        optimizer = AdamOptimizer(learningRate: optimizer.learningRate, step: shards.map(\.optimizer.step).max() ?? optimizer.step,
                                  firstMoment: first, secondMoment: second)
        optimizer.clipNorm = clipNorm
        return totals
    }

    /// One epoch's model copies as launched jobs: the starting model and optimiser state go to
    /// `MODEL_DIR/jobs/epoch-E/`, each job writes its copy back there, and the copies are read in job order.
    func runLaunched(_ launcher: JobLauncher, epoch: Int, jobs: Int, model: AcousticModel, optimizer: AdamOptimizer,
                     state: TrainingCheckpoint) throws -> [ShardResult] {
        let jobDirectory = JobLauncher.absolute(path("jobs"))
        let epochDirectory = (jobDirectory as NSString).appendingPathComponent("epoch-\(epoch)")
        try FileManager.default.createDirectory(atPath: epochDirectory, withIntermediateDirectories: true)
        if !launchedJobWritten, let featureIndex {
            let targetsPath = (jobDirectory as NSString).appendingPathComponent("targets.ark")
            try TargetTable.write(targets, to: targetsPath)
            let job = LaunchedJob(features: JobLauncher.absolute(source.directory), targets: targetsPath, classLabels: classLabels, options: options, index: featureIndex,
                                    varianceNormalization: source.varianceNormalization == .none ? nil : source.varianceNormalization)
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
            results.append(ShardResult(parameters: copy.network.parameters, optimizer: jobOptimizer,
                                       totals: ShardTotals(loss: stats[0], frames: Int(stats[1]), correct: Int(stats[2]))))
        }
        for name in ["start.mdl", "start.ckpt"] + (1...jobs).flatMap({ ["out.\($0).mdl", "out.\($0).ckpt", "out.\($0).json"] }) {
            try? FileManager.default.removeItem(atPath: file(name))
        }
        return results
    }

    /// A launched job (`parrot train-worker epoch JOB_DIR EPOCH JOB JOBS`): trains copy `job`
    /// (1-based) of `jobs` for `epoch` from `JOB_DIR/epoch-E/start.*`, exactly as the in-process
    /// copy would, and writes `out.JOB.mdl`, `out.JOB.ckpt` and `out.JOB.json` (loss, frames, correct).
    /// - Returns: a one-line summary for the job's log.
    public static func runLaunchedJob(directory: String, epoch: Int, job: Int, jobs: Int) throws -> String {
        let spec = try JSONFile.read(LaunchedJob.self, from: (directory as NSString).appendingPathComponent("job.json"))
        var source = try FeatureSource(path: spec.features)
        source.varianceNormalization = spec.varianceNormalization ?? .none
        // The batches come from the index alone; the copy then reads only its shard's targets,
        // so what it holds per utterance is a share of the corpus, not all of it.
        let planner = NetworkTrainer(source: source, targets: [String: FrameLabels](), classLabels: spec.classLabels, options: spec.options, modelDirectory: directory)
        let (trainItems, _) = planner.split(spec.index.items)
        let trainBatches = planner.batches(planner.chunked(trainItems))
        let order = planner.epochOrder(epoch, batches: trainBatches.count)
        guard job >= 1, job <= jobs, jobs == WorkerPool.jobCount(spec.options.trainJobs ?? 1, items: order.count) else {
            throw AcousticModelError.corrupt(path: directory, reason: "job \(job) of \(jobs) does not match the job description")
        }
        let shard = planner.shard(job - 1, of: jobs, order: order, trainBatches)
        let trainer = NetworkTrainer(source: source, targets: try TargetTable.read(path: spec.targets, keys: Set(shard.joined().map { (item: Item) in item.key })),
                                     classLabels: spec.classLabels, options: spec.options, modelDirectory: directory)
        let epochDirectory = (directory as NSString).appendingPathComponent("epoch-\(epoch)")
        func file(_ name: String) -> String { (epochDirectory as NSString).appendingPathComponent(name) }
        var model = try ModelFile.read(path: file("start.mdl"))
        var (state, optimizer) = try TrainingCheckpoint.read(path: file("start.ckpt"))
        optimizer.learningRate = state.learningRate
        var gradient = [Float](repeating: 0, count: model.network.parameterCount)
        let started = Date()
        let r = try trainer.trainShard(shard, model: &model, optimizer: &optimizer, workspace: NetworkWorkspace(), gradient: &gradient,
                                       epoch: epoch, job: job - 1) { _ in }
        state.optimizerStep = optimizer.step
        try ModelFile.write(model, to: file("out.\(job).mdl"))
        try state.write(optimizer: optimizer, to: file("out.\(job).ckpt"))
        try JSONFile.write([r.loss, Double(r.frames), Double(r.correct)], to: file("out.\(job).json"))
        return String(format: "epoch %d, job %d of %d: %d batches, %d frames, loss %.4f, %.1f s", epoch, job, jobs, shard.count, r.frames,
                      r.loss / Double(max(1, r.frames)), Date().timeIntervalSince(started))
    }
}
