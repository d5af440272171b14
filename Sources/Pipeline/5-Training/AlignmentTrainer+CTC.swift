import Acoustic
import Align
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// Training with CTC (`options.network.criterion` `.ctc`): no alignment and no flat start. Each
/// transcript's phones (every word's first pronunciation, no silence: the blank covers pauses)
/// are the label sequence of its utterance, and one network training run learns them:
///
///     MODEL_DIR/ctc/            the network's epochs, checkpoint and logs (as a round's)
///     MODEL_DIR/ali.ctc.ark     the final model's CTC forced alignment: per frame a phone, or the blank
///     MODEL_DIR/final.mdl       the CTC model (its last class is the blank);  MODEL_DIR/phones.txt  its classes
extension AlignmentTrainer {
    /// The CTC network for `compiled` (in `MODEL_DIR/ctc`, resumed from there), with each
    /// utterance's label sequence. `phoneSet` ends with the blank. `minimumSteps` replaces the
    /// network options' own when they have one (`ctcMinimumSteps`, or `ctcStartMinimumSteps`);
    /// `layers`, when given, the network's LSTM layers (`ctcStartLayers`).
    func trainCTC(_ compiled: CompiledTranscripts, phoneSet: [String], minimumSteps: Int?, layers: Int? = nil, resume: Bool) throws
        -> (model: AcousticModel, labels: [String: FrameLabels], trainer: NetworkTrainer) {
        var labels = [String: FrameLabels]()
        for key in compiled.keys { labels[key] = FrameLabels(try compiled.compile(key).pronunciations.flatMap { $0[0] }.map(Int32.init)) }
        onEvent?(.message("CTC: \(labels.count) utterances, \(labels.values.reduce(0) { $0 + $1.count }) phones, \(phoneSet.count) classes with the blank"))
        var ctcOptions = options.network
        ctcOptions.criterion = .ctc
        // The spread perturbation stays out of CTC training (the CTC start's above all): with it
        // there, development voices' boundaries within 20 ms fell from 88.61% to 86.90% (seed 1),
        // against 87.91% with it in the BiLSTM rounds only.
        ctcOptions.spreadPerturbation = nil
        if ctcOptions.minimumSteps != nil { ctcOptions.minimumSteps = minimumSteps }
        if ctcOptions.patience != nil { ctcOptions.patience = options.ctcPatience }
        if let layers { ctcOptions.layers = layers }
        if ctcOptions.minimumSteps != nil {
            (ctcOptions.epochCap, ctcOptions.warmupSteps) = (options.ctcMaximumEpochs, options.ctcWarmupSteps)
        }
        let trainer = NetworkTrainer(source: source, targets: labels, classLabels: phoneSet, options: ctcOptions, modelDirectory: path("ctc"))
        trainer.launcher = launcher
        trainer.onEvent = { [weak self] event in self?.onEvent?(.network(round: 0, event)) }
        return (try trainer.run(resume: resume), labels, trainer)
    }

    /// The first alignment from a CTC model trained first (`--init-alignment ctc`; `ali.0.ark`,
    /// read back when resuming): each utterance's CTC path through its phones, made into phone
    /// segments (`ForcedAligner.ctcAlign`). An utterance it cannot align is left out, with the reason.
    /// - Returns: the alignment and how it was made: `.flat` when the CTC model never left the
    ///   blank plateau (recorded in `MODEL_DIR/first-alignment.txt` for resuming).
    func ctcStart(_ compiled: CompiledTranscripts, compiler: TranscriptCompiler, resume: Bool,
                  failures: inout [(String, String)]) throws -> (targets: [String: FrameLabels], made: InitialAlignment) {
        let record = path("first-alignment.txt")
        if resume, FileManager.default.fileExists(atPath: path("ali.0.ark")) {
            let made = (try? String(contentsOfFile: record, encoding: .utf8)).flatMap { InitialAlignment(rawValue: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return (try TargetTable.read(path: path("ali.0.ark")), made ?? .ctc)
        }
        let (model, labels, _) = try trainCTC(compiled, phoneSet: compiler.phoneSet + [CTC.blankLabel], minimumSteps: options.ctcStartMinimumSteps,
                                              layers: options.ctcStartLayers, resume: resume)
        // A CTC network still on the blank plateau aligns every phone anywhere: start flat instead.
        let sample = Array(compiled.keys.prefix(64))
        let (emitted, needed) = try emittedPhones(model, keys: sample, labels: labels)
        let made: InitialAlignment = emitted * 2 >= needed ? .ctc : .flat
        try AtomicFile.write(made.rawValue + "\n", to: record)
        guard made == .ctc else {
            onEvent?(.message("the CTC model emits \(emitted) phones where its transcripts have \(needed) (it has not left the blank plateau): flat start instead"))
            return (try flatStart(compiled, compiler: compiler, resume: resume, failures: &failures), .flat)
        }
        return (try firstAlignment(ForcedAligner(model: model, compiler: compiler, options: options.alignment), compiled: compiled, failures: &failures), .ctc)
    }

    /// Phones a CTC model's greedy decoding reads from `keys`, and the phones of their transcripts.
    func emittedPhones(_ model: AcousticModel, keys: [String], labels: [String: FrameLabels]) throws -> (emitted: Int, needed: Int) {
        guard let blank = model.blank else { return (0, 0) }
        let workspace = NetworkWorkspace.forInference()
        var emitted = 0, needed = 0
        let usable: [(phones: Int, features: Matrix)] = keys.compactMap { key in
            guard let phones = labels[key], let features = try? source.normalizedFeatures(key) else { return nil }
            return (phones.count, features)
        }
        for start in stride(from: 0, to: usable.count, by: AcousticModel.batchSize) {
            let batch = usable[start..<min(usable.count, start + AcousticModel.batchSize)]
            for scores in try model.logPosteriors(batch.map(\.features), workspace: workspace) { emitted += CTC.greedy(scores, blank: blank).count }
            needed += batch.reduce(0) { $0 + $1.phones }
        }
        return (emitted, needed)
    }

    /// Trains (or resumes) the CTC model and leaves its forced alignments in `finalAlignment`.
    func runCTC(_ compiled: CompiledTranscripts, phoneSet: [String], failures: [(String, String)], resume: Bool) throws -> AcousticModel {
        let started = Date()
        let (model, labels, trainer) = try trainCTC(compiled, phoneSet: phoneSet, minimumSteps: options.ctcMinimumSteps, resume: resume)
        // The forced alignment of every utterance under the final model: its priors, its phone
        // bigram, and the utterances it could use.
        let keys = labels.keys.sorted(by: cLocaleLess)
        // Batches of utterances of about one length, one network pass each (as re-alignment runs).
        let outcomes = WorkerPool.map(keys, jobs: options.jobs, batchSize: AcousticModel.batchSize, length: { self.source.features.rows(of: $0) ?? 0 },
                                      state: NetworkWorkspace.forInference, progress: { done, total in
            self.onEvent?(.realignment(round: 1, done: done, of: total))
        }) { batch, workspace -> [Result<[Int32], Error>] in
            let scores = model.logPosteriors(batch.map { key in Result { try self.source.normalizedFeatures(key) } }, workspace: workspace)
            return zip(batch, scores).map { key, scores in
                Result {
                    let logPosteriors = try scores.get()
                    let sequence = Array(labels[key]!)
                    guard let path = CTC.forcedAlignment(logPosteriors, labels: sequence, blank: phoneSet.count - 1) else {
                        throw AcousticModelError.labelsTooLong(utterance: key, frames: logPosteriors.rows, needed: CTC.minimumFrames(sequence))
                    }
                    return path.map { $0 < 0 ? Int32(phoneSet.count - 1) : sequence[$0] }
                }
            }
        }
        var alignment = [String: FrameLabels](), leftOut = failures
        for (key, outcome) in zip(keys, outcomes) {
            switch outcome {
            case let .success(classes): alignment[key] = FrameLabels(classes)
            case let .failure(error): leftOut.append((key, WorkerPool.reason(error, utterance: key)))
            }
        }
        try TargetTable.write(alignment, to: path("ali.ctc.ark"))
        // The round report of the logs (train.log, rounds.json): the CTC log-probability of the transcripts per frame.
        let report = RoundReport(round: 1, meanLogLikelihood: -(trainer.returnedEpoch?.trainLoss ?? .nan), framesChanged: 0,
                                 validationAccuracy: trainer.returnedEpoch?.validationAccuracy, aligned: alignment.count, failed: keys.count - alignment.count,
                                 seconds: Date().timeIntervalSince(started))
        try AtomicFile.write(report.line + "\n", to: path("train.log"))
        try JSONFile.write([report], to: path("rounds.json"))
        onEvent?(.message(String(format: "CTC model: transcripts' mean log-probability %.4f per frame (training), %d aligned, %d failed; %.0f s",
                                 report.meanLogLikelihood, report.aligned, report.failed, report.seconds ?? 0)))
        finalAlignment = alignment
        self.leftOut = leftOut.map { (utterance: $0.0, reason: $0.1) }
        try ModelFile.write(model, to: path("final.mdl"))
        try AtomicFile.write(logPriors(alignment, classes: phoneSet.count).enumerated().map { "\(phoneSet[$0.offset]) \($0.element)\n" }.joined(),
                             to: path("priors.txt"))
        return model
    }
}
