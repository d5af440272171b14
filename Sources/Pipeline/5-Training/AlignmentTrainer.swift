import Acoustic
import Align
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// Flat-start training by iterative Viterbi re-alignment (the lecture's "guess the alignment,
/// then iterate"): each transcript's phones spread uniformly over its frames (silence where the
/// recording is quiet), then rounds of training the network for a few epochs on the current
/// alignments and re-aligning every utterance with Viterbi under the new model, until fewer than
/// `changeThreshold` of the frames change. With an `initialModel`, the first alignment is that
/// model's instead, and the BiLSTM rounds adapt it.
///
///     MODEL_DIR/ali.0.ark       first alignment: flat start, or the starting model's (Kaldi integer vectors, one class per frame)
///     MODEL_DIR/round-N/        the network trained in round N (epoch-K.mdl, final.mdl, checkpoint, train.log)
///     MODEL_DIR/ali.N.ark       the re-alignment under round N's model
///     MODEL_DIR/final.mdl       the last round's model;  MODEL_DIR/phones.txt  its classes
///     MODEL_DIR/priors.txt      class log-priors of the final alignment
///     MODEL_DIR/train.log       one line per round (rounds.json: the same as JSON);  MODEL_DIR/oovs.txt  words missing from the lexicon
///     MODEL_DIR/start.txt       how the first alignment was made (a directory is resumed only the same way)
///
/// Finished rounds are kept, so an interrupted run resumes where it stopped. Re-alignment is in
/// `AlignmentTrainer+Realignment.swift`.
public final class AlignmentTrainer {
    public let source: FeatureSource
    public let transcripts: PackedTable
    public let lexicon: Lexicon
    public let options: AlignmentTrainingOptions
    public let modelDirectory: String
    public var onEvent: ((AlignmentTrainingEvent) -> Void)?
    /// Adapt this model instead of training from scratch: the first alignment is the model's own
    /// (Viterbi on its posteriors; no flat start), the frame-local rounds learn the corpus's sounds
    /// from it (on ±`localSpliceAfterStartingModel` frames), and every BiLSTM round fine-tunes the
    /// model, with its topology, at `options.adaptationLearningRate`. The lexicon's phones must
    /// all be among its classes.
    public var initialModel: AcousticModel?
    /// With an `initialModel`: when its first alignment's best paths average at least this
    /// log-likelihood per frame (its posteriors, no priors), the model already fits the corpus and
    /// `run` returns it untrained (`startingFit` then holds the figure and `fitted` is true).
    public var fitThreshold: Double?
    /// The mean best-path log-likelihood per frame of the first alignment (not known on resume).
    public internal(set) var startingFit: Double?
    /// True when the `initialModel`'s first alignment met `fitThreshold`: `run` returned it untrained.
    public var fitted: Bool {
        guard initialModel != nil, let fitThreshold, let startingFit else { return false }
        return startingFit >= fitThreshold
    }
    /// Frame classes of the last alignment, once `run` has finished.
    public internal(set) var finalAlignment: [String: FrameLabels] = [:]
    /// Utterances left out of training (no transcript, unknown words, too long a transcript), and why.
    public internal(set) var leftOut: [(utterance: String, reason: String)] = []
    /// Run network training (`network.trainJobs` copies per epoch) and each round's re-alignment
    /// (`jobs` parts) as separate processes through this launcher, e.g. on a Slurm cluster, instead
    /// of threads here; the models and alignments are the same. Needs `lexiconPath`.
    public var launcher: JobLauncher?
    /// The lexicon's file, for launched re-alignment jobs.
    public var lexiconPath: String?

    public init(source: FeatureSource, transcripts: PackedTable, lexicon: Lexicon, options: AlignmentTrainingOptions, modelDirectory: String) {
        self.source = source
        self.transcripts = transcripts
        self.lexicon = lexicon
        self.options = options
        self.modelDirectory = modelDirectory
    }

    func path(_ name: String) -> String { (modelDirectory as NSString).appendingPathComponent(name) }

    /// Runs (or resumes) training and returns the final model.
    public func run(resume: Bool) throws -> AcousticModel {
        try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
        let phoneSet = try self.phoneSet()
        let compiler = TranscriptCompiler(lexicon: lexicon, phoneSet: phoneSet, oovMode: options.alignment.oovMode)
        try AtomicFile.write(phoneSet.enumerated().map { "\($0.element) \($0.offset)\n" }.joined(), to: path("phones.txt"))
        try recordStart(resume: resume)
        var (compiled, failures) = try compileTranscripts(compiler)
        if options.network.isCTC { return try runCTC(compiled, phoneSet: phoneSet, failures: failures, resume: resume) }
        var targets: [String: FrameLabels]
        var start = InitialAlignment.flat
        if let initialModel {
            targets = try startingAlignment(initialModel, compiled: compiled, compiler: compiler, resume: resume, failures: &failures)
            onEvent?(.message("first alignment from the starting model: \(targets.count) utterances, \(targets.values.reduce(0) { $0 + $1.count }) frames, \(phoneSet.count) classes"))
            if fitted { return initialModel }
        } else if options.initialAlignment == .ctc {
            (targets, start) = try ctcStart(compiled, compiler: compiler, resume: resume, failures: &failures)
            if start == .ctc {
                onEvent?(.message("first alignment from the CTC model: \(targets.count) utterances, \(targets.values.reduce(0) { $0 + $1.count }) frames, \(phoneSet.count) classes"))
            }
        } else {
            targets = try flatStart(compiled, compiler: compiler, resume: resume, failures: &failures)
            onEvent?(.message("flat start: \(targets.count) utterances, \(targets.values.reduce(0) { $0 + $1.count }) frames, \(phoneSet.count) classes"))
        }

        var model = initialModel
        var featureIndex: NetworkTrainer.FeatureIndex?
        var reports = [RoundReport]()
        // Reports of rounds finished before an interruption, so the logs stay whole on resume.
        let savedReports = resume ? (try? JSONFile.read([RoundReport].self, from: path("rounds.json"))) ?? [] : []
        for round in 1...options.rounds {
            let local = round <= localRounds
            if resume, let (saved, next) = finishedRound(round) {
                onEvent?(.message("round \(round) already done"))
                if let report = savedReports.first(where: { $0.round == round }) { reports.append(report) }
                let changed = changedShare(targets, next)
                (model, targets) = (saved, next)
                if !local && changed < options.changeThreshold { break }
                continue
            }
            let started = Date()
            let (trained, validation) = try trainRound(round, targets: targets, phoneSet: phoneSet, from: model, start: start,
                                                       featureIndex: &featureIndex, resume: resume)
            model = trained
            let priors = logPriors(targets, classes: phoneSet.count)
            var aligner = ForcedAligner(model: trained, compiler: compiler, options: options.alignment)
            aligner.logPriors = priors
            let next = try launcher.map { try realignLaunched($0, round: round, phoneSet: phoneSet, priors: priors, previous: targets) }
                ?? realign(aligner, compiled: compiled, previous: targets, round: round)
            let report = RoundReport(round: round, meanLogLikelihood: next.logLikelihood / Double(max(1, next.frames)), framesChanged: changedShare(targets, next.targets),
                                     validationAccuracy: validation, aligned: next.targets.count - next.failed, failed: next.failed,
                                     seconds: Date().timeIntervalSince(started))
            try TargetTable.write(next.targets, to: path("ali.\(round).ark"))
            targets = next.targets
            reports.append(report)
            try AtomicFile.write(reports.map { $0.line + "\n" }.joined(), to: path("train.log"))
            try JSONFile.write(reports, to: path("rounds.json"))
            onEvent?(.round(report))
            if !local && report.framesChanged < options.changeThreshold { break }
        }
        guard let final = model else { throw AcousticModelError.noTrainingData(reason: "no round was trained") }
        finalAlignment = targets
        leftOut = failures.map { (utterance: $0.0, reason: $0.1) }
        try ModelFile.write(final, to: path("final.mdl"))
        try AtomicFile.write(logPriors(targets, classes: phoneSet.count).enumerated().map { "\(phoneSet[$0.offset]) \($0.element)\n" }.joined(),
                             to: path("priors.txt"))
        return final
    }

    /// Records how this model directory's first alignment is made (`MODEL_DIR/start.txt`: a flat
    /// start or a starting model) and refuses to resume a directory begun the other way, whose
    /// alignments and rounds would otherwise be reused. A directory without the record (from
    /// before it was kept) was begun with a flat start.
    private func recordStart(resume: Bool) throws {
        let requested = options.network.isCTC ? "CTC (--criterion ctc)" : initialModel != nil ? "a starting model (--init-model)"
            : options.initialAlignment == .ctc ? "a CTC start (--init-alignment ctc)" : "a flat start"
        if resume, FileManager.default.fileExists(atPath: path("ali.0.ark")) || FileManager.default.fileExists(atPath: path("ctc")) {
            let begun = (try? String(contentsOfFile: path("start.txt"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "a flat start"
            guard begun == requested else { throw TrainingError.differentStart(directory: modelDirectory, begun: begun, requested: requested) }
        }
        try AtomicFile.write(requested + "\n", to: path("start.txt"))
    }

    /// Frame-local rounds, after a starting model's first alignment as after any other; a starting
    /// model keeps at least the last round to fine-tune it.
    private var localRounds: Int { initialModel == nil ? options.localRounds : min(options.localRounds, max(0, options.rounds - 1)) }

    /// The first alignment when starting from a model: Viterbi on its posteriors (`ali.0.ark`,
    /// read back when resuming). A starting model is never trained on uniform alignments: an
    /// utterance it cannot align is left out, with the reason.
    private func startingAlignment(_ model: AcousticModel, compiled: CompiledTranscripts, compiler: TranscriptCompiler, resume: Bool,
                                   failures: inout [(String, String)]) throws -> [String: FrameLabels] {
        if resume, FileManager.default.fileExists(atPath: path("ali.0.ark")) { return try TargetTable.read(path: path("ali.0.ark")) }
        // The starting model's class priors are unknown here: its posteriors as they are.
        var alignment = options.alignment
        alignment.priorScale = 0
        return try firstAlignment(ForcedAligner(model: model, compiler: compiler, options: alignment), compiled: compiled, failures: &failures)
    }

    /// Every utterance aligned by `aligner` as the first alignment (`ali.0.ark`): any utterance it
    /// cannot align, or whose features cannot be read, is left out with the reason.
    func firstAlignment(_ aligner: ForcedAligner, compiled: CompiledTranscripts, failures: inout [(String, String)]) throws -> [String: FrameLabels] {
        let keys = compiled.keys
        var targets = [String: FrameLabels]()
        var logLikelihood = 0.0, frames = 0
        for (key, outcome) in zip(keys, alignAll(keys, compiled: compiled, aligner: aligner, round: 0)) {
            switch outcome {
            case let .success(output):
                targets[key] = FrameLabels(output.alignment.frameClasses)
                logLikelihood += output.logLikelihood
                frames += output.alignment.frameClasses.count
            case let .failure(error): failures.append((key, WorkerPool.reason(error, utterance: key)))
            }
        }
        if frames > 0 { startingFit = logLikelihood / Double(frames) }
        try TargetTable.write(targets, to: path("ali.0.ark"))
        return targets
    }

    /// The classes: the starting model's, which must cover the lexicon's phones, or the lexicon's
    /// (with CTC, and the blank after them).
    private func phoneSet() throws -> [String] {
        if options.network.isCTC {
            guard !lexicon.phoneSet.contains(CTC.blankLabel) else {
                throw AlignError.unknownPhone(phone: CTC.blankLabel, context: "the lexicon uses CTC's blank label as a phone; rename it")
            }
            return lexicon.phoneSet + [CTC.blankLabel]
        }
        guard let initialModel else { return lexicon.phoneSet }
        // A starting model from another phone set would leave most utterances out; say so up front.
        let phoneSet = initialModel.classLabels
        let missing = lexicon.phoneSet.filter { !phoneSet.contains($0) }
        if !missing.isEmpty {
            throw AlignError.unknownPhone(phone: missing.joined(separator: " "),
                                         context: "the lexicon uses them, the starting model has \(phoneSet.joined(separator: " ")); map them in the lexicon or start from scratch")
        }
        return phoneSet
    }

    /// The utterances whose transcripts compile to phone classes; what cannot be used is listed
    /// (with reasons) and unknown words go to `oovs.txt`.
    private func compileTranscripts(_ compiler: TranscriptCompiler) throws -> (CompiledTranscripts, [(String, String)]) {
        var usable = [String]()
        var oovLines = [String]()
        var failures = [(String, String)]()
        for key in source.keys {
            guard let text = transcripts[key] else { failures.append((key, "no transcript")); continue }
            do {
                let c = try compiler.compile(utterance: key, transcript: text)
                if !c.outOfVocabulary.isEmpty { oovLines.append("\(key) \(c.outOfVocabulary.joined(separator: " "))") }
                usable.append(key)
            } catch let error as AlignError {
                if case let .outOfVocabulary(_, words) = error { oovLines.append("\(key) \(words.joined(separator: " "))") }
                failures.append((key, WorkerPool.reason(error, utterance: key)))
            }
        }
        try AtomicFile.write(oovLines.map { $0 + "\n" }.joined(), to: path("oovs.txt"))
        if !failures.isEmpty { onEvent?(.message("\(failures.count) utterances left out (see oovs.txt for unknown words); first: \(failures[0].0): \(failures[0].1)")) }
        return (CompiledTranscripts(compiler: compiler, transcripts: transcripts, keys: usable.sorted(by: cLocaleLess)), failures)
    }

    /// The flat-start targets (`ali.0.ark`, read back when resuming); an unreadable feature
    /// matrix or an impossible transcript leaves out that utterance only.
    func flatStart(_ compiled: CompiledTranscripts, compiler: TranscriptCompiler, resume: Bool,
                           failures: inout [(String, String)]) throws -> [String: FrameLabels] {
        if resume, FileManager.default.fileExists(atPath: path("ali.0.ark")) { return try TargetTable.read(path: path("ali.0.ark")) }
        var targets = [String: FrameLabels]()
        for key in compiled.keys {
            do {
                let features = try source.normalizedFeatures(key)
                let speech = options.energyFlatStart ? SpeechRegion.segments(features, threshold: options.speechThreshold) : nil
                targets[key] = FrameLabels(try compiler.flatStart(try compiled.compile(key), frames: features.rows, utterance: key, speech: speech))
            } catch {
                failures.append((key, WorkerPool.reason(error, utterance: key)))
            }
        }
        try TargetTable.write(targets, to: path("ali.0.ark"))
        return targets
    }

    /// Round `round`'s model and re-alignment when a previous run finished them (with the features
    /// normalised as now).
    private func finishedRound(_ round: Int) -> (AcousticModel, [String: FrameLabels])? {
        let model = path("round-\(round)/final.mdl"), alignment = path("ali.\(round).ark")
        guard FileManager.default.fileExists(atPath: alignment), FileManager.default.fileExists(atPath: model),
              let saved = try? ModelFile.read(path: model), saved.varianceNormalization == source.varianceNormalization,
              let next = try? TargetTable.read(path: alignment) else { return nil }
        return (saved, next)
    }

    /// Trains round `round`'s network on the current alignments: a frame-local classifier in the
    /// first `localRounds`, then the BiLSTM. It continues from the previous round's model, or else
    /// the starting model, when that has this round's topology (the first BiLSTM round after local
    /// rounds starts afresh).
    /// - Returns: the model and its validation frame accuracy (of the epoch kept).
    private func trainRound(_ round: Int, targets: [String: FrameLabels], phoneSet: [String], from previous: AcousticModel?, start: InitialAlignment,
                            featureIndex: inout NetworkTrainer.FeatureIndex?, resume: Bool) throws -> (AcousticModel, Double?) {
        var networkOptions = options.network
        if round <= localRounds {
            networkOptions.layers = 0
            networkOptions.splice = options.localSplice(after: start, fromModel: initialModel != nil)
            // A local classifier's epoch costs a few seconds: train it until it has learnt the sounds.
            if networkOptions.minimumSteps != nil { networkOptions.minimumSteps = options.localMinimumSteps }
            // Augmentation here blurs the sounds the first alignments are made of: on development
            // voices noise in every round gave 78.5% of boundaries within 20 ms, in BiLSTM rounds
            // only 81.5%; --warp 0.1 in every round 84.9% against 85.2% (an earlier draw of the
            // voices), in BiLSTM rounds only 84.3% against 81.5%.
            networkOptions.noiseSNR = nil
            networkOptions.frequencyWarp = nil
            networkOptions.tempoPerturbation = nil
            networkOptions.spreadPerturbation = nil
            networkOptions.frequencyMaskWidth = nil
            networkOptions.timeMaskWidth = nil
        }
        if let initialModel, round > localRounds {
            // Adaptation's BiLSTM rounds continue the starting model whatever the network options say.
            let c = initialModel.configuration
            (networkOptions.layers, networkOptions.hiddenUnits, networkOptions.projection) = (c.layers, c.hiddenUnits, c.projection)
            (networkOptions.splice, networkOptions.dropout) = (c.splice, c.dropout)
            networkOptions.learningRate = options.adaptationLearningRate
        }
        let trainer = NetworkTrainer(source: source, targets: targets, classLabels: phoneSet, options: networkOptions, modelDirectory: path("round-\(round)"))
        // What the round's network continues, when it has that shape: the first BiLSTM round the
        // starting model (never a local round, even one of its shape), round 1 nothing, any other
        // round the round before.
        let continuing: AcousticModel?
        if round == localRounds + 1, let initialModel { continuing = initialModel } else if round == 1 { continuing = nil } else { continuing = previous }
        trainer.initialModel = continuing.flatMap { networkOptions.canContinue($0.configuration) ? $0 : nil }
        trainer.featureIndex = featureIndex
        trainer.launcher = launcher
        trainer.onEvent = { [weak self] event in self?.onEvent?(.network(round: round, event)) }
        let trained = try trainer.run(resume: resume)
        featureIndex = trainer.featureIndex
        return (trained, trainer.returnedEpoch?.validationAccuracy)
    }
}
