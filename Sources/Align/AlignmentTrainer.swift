import Acoustic
import Corpus
import Foundation
import KaldiIO

/// Settings of flat-start training by iterative re-alignment.
public struct AlignmentTrainingOptions: Codable, Equatable, Sendable {
    /// Network and optimiser settings; `network.epochs` is the number of epochs per round.
    public var network = TrainingOptions()
    /// Most re-alignment rounds. Default 4.
    public var rounds = 4
    /// Stop when fewer than this share of frames change label in a re-alignment. Default 0.01.
    public var changeThreshold = 0.01
    /// Frames each phone lasts at least in the alignment graph. Default 3.
    public var minimumDuration = 3
    /// Frames a silence between words lasts at least when re-aligning; nil for `minimumDuration`.
    public var minimumPause: Int?
    /// Weight of the log-prior subtracted from the log-posteriors when re-aligning. Default 0.
    public var priorScale: Float = 0
    /// Words missing from the lexicon. Default `.skip`.
    public var oovMode = OOVMode.skip
    /// Worker threads for re-alignment. Default 2.
    public var jobs = 2
    /// First rounds that train a frame-local classifier (no LSTM layers, ±`localSplice` frames)
    /// instead of the BiLSTM. A bidirectional network sees the whole utterance and can learn the
    /// flat start's timing instead of correcting it; a local classifier can only learn what each
    /// phone sounds like, so its re-alignments move towards the acoustics (the part monophone
    /// GMMs play in Kaldi's flat start). Default 2.
    public var localRounds = 2
    /// Frames of context on each side for the local rounds. Default 5. Less context leaves the
    /// classifier less room to learn the current alignment's timing instead of the sounds: on
    /// the built-in corpus the final round puts 85.7% of boundaries within 20 ms with ±1 frame,
    /// 81.5% with ±2, 55.9% with ±5. On small real corpora ±1 costs recognition accuracy (FSDD
    /// digits 95.6% against 99.6%, yesno %WER 1.72 against 0.00), hence the default.
    public var localSplice = 5
    /// Flat start puts silence where the recording is quiet (`SpeechRegion`) rather than a
    /// uniform share at each end. Default true.
    public var energyFlatStart = true
    /// How far from the quiet to the loud energy level a frame must be to count as speech in the
    /// flat start (see `SpeechRegion`).
    public var speechThreshold = SpeechRegion.defaultThreshold

    public init() {
        network.epochs = 3
    }
}

/// One line of the training log per round.
public struct RoundReport: Codable, Equatable, Sendable {
    public var round: Int
    /// Mean best-path log-likelihood per frame under the round's model.
    public var meanLogLikelihood: Double
    /// Share of frames whose label changed in the re-alignment.
    public var framesChanged: Double
    /// Frame accuracy on the held-out utterances after the round's last epoch.
    public var validationAccuracy: Double?
    public var aligned: Int
    public var failed: Int

    public init(round: Int, meanLogLikelihood: Double, framesChanged: Double, validationAccuracy: Double?, aligned: Int, failed: Int) {
        self.round = round
        self.meanLogLikelihood = meanLogLikelihood
        self.framesChanged = framesChanged
        self.validationAccuracy = validationAccuracy
        self.aligned = aligned
        self.failed = failed
    }

    public var line: String {
        var text = String(format: "round %d: mean best-path log-likelihood %.4f per frame, %.2f%% of frames changed", round, meanLogLikelihood, 100 * framesChanged)
        if let validationAccuracy { text += String(format: ", validation frame accuracy %.2f%%", 100 * validationAccuracy) }
        return text + ", \(aligned) aligned, \(failed) failed"
    }
}

/// What `AlignmentTrainer` reports while it works.
public enum AlignmentTrainingEvent: Sendable {
    case message(String)
    case network(round: Int, TrainingEvent)
    case realignment(round: Int, done: Int, of: Int)
    case round(RoundReport)
}

/// Flat-start training by iterative Viterbi re-alignment (the lecture's "guess the alignment,
/// then iterate"): each transcript's phones spread uniformly over its frames (silence at both
/// ends), then rounds of training the BiLSTM for a few epochs on the current alignments and
/// re-aligning every utterance with Viterbi under the new model, until fewer than
/// `changeThreshold` of the frames change.
///
///     MODEL_DIR/ali.0.ark       flat-start alignment (Kaldi integer vectors, one class per frame)
///     MODEL_DIR/round-N/        the network trained in round N (epoch-K.mdl, final.mdl, checkpoint, train.log)
///     MODEL_DIR/ali.N.ark       the re-alignment under round N's model
///     MODEL_DIR/final.mdl       the last round's model;  MODEL_DIR/phones.txt  its classes
///     MODEL_DIR/priors.txt      class log-priors of the final alignment
///     MODEL_DIR/train.log       one line per round (rounds.json: the same as JSON);  MODEL_DIR/oovs.txt  words missing from the lexicon
///
/// Finished rounds are kept, so an interrupted run resumes where it stopped.
public final class AlignmentTrainer {
    public let source: FeatureSource
    public let transcripts: [String: String]
    public let lexicon: Lexicon
    public let options: AlignmentTrainingOptions
    public let modelDirectory: String
    public var onEvent: ((AlignmentTrainingEvent) -> Void)?
    /// Start from this model instead of a random network in the first round with its topology
    /// (phone sets must match).
    public var initialModel: AcousticModel?
    /// Frame classes of the last alignment, once `run` has finished.
    public private(set) var finalAlignment: [String: [Int32]] = [:]
    /// Utterances left out of training (no transcript, unknown words, too long a transcript), and why.
    public private(set) var leftOut: [(utterance: String, reason: String)] = []
    /// Run network training (`network.trainJobs` copies per epoch) and each round's re-alignment
    /// (`jobs` parts) as separate processes through this launcher, e.g. on a Slurm cluster, instead
    /// of threads here; the models and alignments are the same. Needs `lexiconPath`.
    public var launcher: JobLauncher?
    /// The lexicon's file, for launched re-alignment jobs.
    public var lexiconPath: String?

    /// What a launched re-alignment job needs: `MODEL_DIR/jobs/align-N/job.json`.
    struct LaunchedAlignment: Codable {
        var model: String
        var features: String
        var lexicon: String
        var transcripts: String
        var phoneSet: [String]
        var oovMode: OOVMode
        var minimumDuration: Int
        var minimumPause: Int?
        var priorScale: Float
        var logPriors: [Float]
        var keys: [String]
    }

    struct LaunchedAlignmentResult: Codable {
        var score: Double
        var failures: [String]
    }

    public init(source: FeatureSource, transcripts: [String: String], lexicon: Lexicon, options: AlignmentTrainingOptions, modelDirectory: String) {
        self.source = source
        self.transcripts = transcripts
        self.lexicon = lexicon
        self.options = options
        self.modelDirectory = modelDirectory
    }

    private func path(_ name: String) -> String { (modelDirectory as NSString).appendingPathComponent(name) }

    /// Runs (or resumes) training and returns the final model.
    public func run(resume: Bool) throws -> AcousticModel {
        try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
        let phoneSet = initialModel?.classLabels ?? lexicon.phoneSet
        if initialModel != nil {
            // A starting model from another phone set would leave most utterances out; say so up front.
            let missing = lexicon.phoneSet.filter { !phoneSet.contains($0) }
            if !missing.isEmpty {
                throw AlignError.unknownPhone(phone: missing.joined(separator: " "),
                                             context: "the lexicon uses them, the starting model has \(phoneSet.joined(separator: " ")); map them in the lexicon or start from scratch")
            }
        }
        let compiler = TranscriptCompiler(lexicon: lexicon, phoneSet: phoneSet, oovMode: options.oovMode)
        try AtomicFile.write(phoneSet.enumerated().map { "\($0.element) \($0.offset)\n" }.joined(), to: path("phones.txt"))

        // Compile every transcript; record what cannot be used.
        var compiled = [String: CompiledTranscript]()
        var oovLines = [String]()
        var failures = [(String, String)]()
        for key in source.keys {
            guard let text = transcripts[key] else { failures.append((key, "no transcript")); continue }
            do {
                let c = try compiler.compile(utterance: key, transcript: text)
                if !c.outOfVocabulary.isEmpty { oovLines.append("\(key) \(c.outOfVocabulary.joined(separator: " "))") }
                compiled[key] = c
            } catch let error as AlignError {
                if case let .outOfVocabulary(_, words) = error { oovLines.append("\(key) \(words.joined(separator: " "))") }
                failures.append((key, UtteranceWorkers.reason(error, utterance: key)))
            }
        }
        try AtomicFile.write(oovLines.map { $0 + "\n" }.joined(), to: path("oovs.txt"))
        if !failures.isEmpty { onEvent?(.message("\(failures.count) utterances left out (see oovs.txt for unknown words); first: \(failures[0].0): \(failures[0].1)")) }

        // Flat start.
        var targets: [String: [Int32]]
        if resume, FileManager.default.fileExists(atPath: path("ali.0.ark")) {
            targets = try TargetTable.read(path: path("ali.0.ark"))
        } else {
            targets = [:]
            for key in compiled.keys.sorted(by: cLocaleLess) {
                // An unreadable feature matrix or an impossible transcript leaves out this utterance only.
                do {
                    let features = try source.normalizedFeatures(key)
                    let speech = options.energyFlatStart ? SpeechRegion.segments(features, threshold: options.speechThreshold) : nil
                    targets[key] = try compiler.flatStart(compiled[key]!, frames: features.rows, utterance: key, speech: speech)
                } catch {
                    failures.append((key, UtteranceWorkers.reason(error, utterance: key)))
                }
            }
            try TargetTable.write(targets, to: path("ali.0.ark"))
        }
        onEvent?(.message("flat start: \(targets.count) utterances, \(targets.values.reduce(0) { $0 + $1.count }) frames, \(phoneSet.count) classes"))

        var model = initialModel
        var featureIndex: NetworkTrainer.FeatureIndex?
        var reports = [RoundReport]()
        // Reports of rounds finished before an interruption, so the logs stay whole on resume.
        let savedReports = resume ? (try? JSONFile.read([RoundReport].self, from: path("rounds.json"))) ?? [] : []
        for round in 1...options.rounds {
            let roundDirectory = path("round-\(round)")
            let alignmentPath = path("ali.\(round).ark")
            if resume, FileManager.default.fileExists(atPath: alignmentPath), FileManager.default.fileExists(atPath: roundDirectory + "/final.mdl"),
               let saved = try? ModelFile.read(path: roundDirectory + "/final.mdl") {
                model = saved
                let next = try TargetTable.read(path: alignmentPath)
                onEvent?(.message("round \(round) already done"))
                if let saved = savedReports.first(where: { $0.round == round }) { reports.append(saved) }
                let changed = changedShare(targets, next)
                targets = next
                if round > options.localRounds && changed < options.changeThreshold { break }
                continue
            }
            // Train on the current alignments: a local classifier in the first rounds, then the BiLSTM.
            let local = round <= options.localRounds
            var networkOptions = options.network
            if local {
                networkOptions.layers = 0
                networkOptions.splice = options.localSplice
            }
            let trainer = NetworkTrainer(source: source, targets: targets, classLabels: phoneSet, options: networkOptions, modelDirectory: roundDirectory)
            // Continue from the previous round's model, or else the user's starting model, when its
            // topology is this round's (the first BiLSTM round after local rounds starts afresh).
            trainer.initialModel = [model, initialModel].compactMap { $0 }.first { networkOptions.canContinue($0.configuration) }
            trainer.featureIndex = featureIndex
            trainer.launcher = launcher
            var lastValidation: Double?
            trainer.onEvent = { [weak self] event in
                if case let .epoch(report) = event { lastValidation = report.validationAccuracy }
                self?.onEvent?(.network(round: round, event))
            }
            let trained = try trainer.run(resume: resume)
            featureIndex = trainer.featureIndex
            model = trained
            // Re-align everything under the new model.
            let priors = logPriors(targets, classes: phoneSet.count)
            var aligner = ForcedAligner(model: trained, compiler: compiler)
            aligner.minimumDuration = options.minimumDuration
            aligner.minimumPause = options.minimumPause
            aligner.priorScale = options.priorScale
            aligner.logPriors = priors
            let (next, totalScore, frames, failed) = try launcher.map {
                try realignLaunched($0, model: roundDirectory + "/final.mdl", phoneSet: phoneSet, priors: priors, previous: targets, round: round)
            } ?? realign(aligner, compiled: compiled, previous: targets, round: round)
            let report = RoundReport(round: round, meanLogLikelihood: totalScore / Double(max(1, frames)), framesChanged: changedShare(targets, next),
                                     validationAccuracy: lastValidation, aligned: next.count - failed, failed: failed)
            try TargetTable.write(next, to: alignmentPath)
            targets = next
            reports.append(report)
            try AtomicFile.write(reports.map { $0.line + "\n" }.joined(), to: path("train.log"))
            try JSONFile.write(reports, to: path("rounds.json"))
            onEvent?(.round(report))
            if round > options.localRounds && report.framesChanged < options.changeThreshold { break }
        }
        guard let final = model else { throw AcousticModelError.noTrainingData(reason: "no round was trained") }
        finalAlignment = targets
        leftOut = failures.map { (utterance: $0.0, reason: $0.1) }
        try ModelFile.write(final, to: path("final.mdl"))
        try AtomicFile.write(logPriors(targets, classes: phoneSet.count).enumerated().map { "\(phoneSet[$0.offset]) \($0.element)\n" }.joined(),
                             to: path("priors.txt"))
        return final
    }

    /// Re-aligns every compiled utterance in parallel; an utterance that fails keeps its previous alignment.
    private func realign(_ aligner: ForcedAligner, compiled: [String: CompiledTranscript], previous: [String: [Int32]], round: Int)
        throws -> (targets: [String: [Int32]], score: Double, frames: Int, failed: Int) {
        let keys = previous.keys.sorted(by: cLocaleLess)
        let jobs = UtteranceWorkers.jobCount(options.jobs, items: keys.count)
        let lock = NSLock()
        var result = previous
        var score = 0.0, frames = 0, failed = 0, done = 0
        var fatal: Error?
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            let workspace = NetworkWorkspace()
            for key in UtteranceWorkers.share(keys, part: job, of: jobs) {
                do {
                    let (classes, total) = try Self.realignOne(key, aligner: aligner, compiled: compiled[key]!, source: source, workspace: workspace)
                    lock.lock()
                    result[key] = classes
                    score += total
                    frames += classes.count
                    lock.unlock()
                } catch let error as AlignError {
                    lock.lock(); failed += 1; lock.unlock()
                    onEvent?(.message("round \(round): \(error)"))
                } catch {
                    lock.lock(); fatal = error; lock.unlock()
                }
                lock.lock(); done += 1; onEvent?(.realignment(round: round, done: done, of: keys.count)); lock.unlock()
            }
        }
        if let fatal { throw fatal }
        return (result, score, frames, failed)
    }

    /// One utterance's Viterbi re-alignment and the log-posterior of its path.
    static func realignOne(_ key: String, aligner: ForcedAligner, compiled: CompiledTranscript, source: FeatureSource,
                           workspace: NetworkWorkspace) throws -> (classes: [Int32], score: Double) {
        let scores = try aligner.logPosteriors(key, source: source, workspace: workspace)
        let alignment = try aligner.align(key, compiled: compiled, scores: aligner.alignmentScores(scores))
        // The likelihood reported is of the posteriors themselves.
        var total = 0.0
        for (t, c) in alignment.frameClasses.enumerated() { total += Double(scores[t, Int(c)]) }
        return (alignment.frameClasses, total)
    }

    /// A round's re-alignment as `jobs` launched parts (`parrot train-worker align …`), each
    /// aligning a contiguous share of the utterances; an utterance that fails keeps its previous alignment.
    private func realignLaunched(_ launcher: JobLauncher, model: String, phoneSet: [String], priors: [Float], previous: [String: [Int32]], round: Int)
        throws -> (targets: [String: [Int32]], score: Double, frames: Int, failed: Int) {
        guard let lexiconPath else { throw AlignError.badLexiconLine(path: "(none)", line: 0, reason: "launched re-alignment needs the lexicon's file") }
        let keys = previous.keys.sorted(by: cLocaleLess)
        let jobs = UtteranceWorkers.jobCount(options.jobs, items: keys.count)
        let directory = JobLauncher.absolute(path("jobs/align-\(round)"))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let transcriptsPath = JobLauncher.absolute(path("jobs/text"))
        if !FileManager.default.fileExists(atPath: transcriptsPath) {
            try AtomicFile.write(transcripts.keys.sorted(by: cLocaleLess).map { "\($0) \(transcripts[$0]!)\n" }.joined(), to: transcriptsPath)
        }
        let spec = LaunchedAlignment(model: JobLauncher.absolute(model), features: JobLauncher.absolute(source.directory), lexicon: JobLauncher.absolute(lexiconPath), transcripts: transcriptsPath,
                                     phoneSet: phoneSet, oovMode: options.oovMode, minimumDuration: options.minimumDuration, minimumPause: options.minimumPause, priorScale: options.priorScale,
                                     logPriors: priors, keys: keys)
        try JSONFile.write(spec, to: file("job.json"))
        onEvent?(.message("round \(round): re-alignment in \(jobs) jobs through \(launcher.command) (logs in \(directory)/log)"))
        try launcher.run(jobs: jobs, log: file("log/align.JOB.log"), arguments: ["train-worker", "align", directory, "JOB", String(jobs)])
        var result = previous
        var score = 0.0, frames = 0, failed = 0
        for job in 1...jobs {
            for (key, value) in try TargetTable.read(path: file("ali.\(job).ark")) {
                result[key] = value
                frames += value.count
            }
            let stats = try JSONFile.read(LaunchedAlignmentResult.self, from: file("stats.\(job).json"))
            score += stats.score
            failed += stats.failures.count
            for message in stats.failures { onEvent?(.message("round \(round): \(message)")) }
            try? FileManager.default.removeItem(atPath: file("ali.\(job).ark"))
        }
        return (result, score, frames, failed)
    }

    /// A launched re-alignment part (`parrot train-worker align JOB_DIR JOB JOBS`): aligns the
    /// `job`-th (1-based) contiguous share of the job's utterances and writes `ali.JOB.ark` and `stats.JOB.json`.
    public static func runLaunchedAlignment(directory: String, job: Int, jobs: Int) throws {
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let spec = try JSONFile.read(LaunchedAlignment.self, from: file("job.json"))
        guard job >= 1, job <= jobs else { throw AlignError.badLexiconLine(path: file("job.json"), line: 0, reason: "no job \(job) of \(jobs)") }
        let source = try FeatureSource(path: spec.features)
        let compiler = TranscriptCompiler(lexicon: try Lexicon(path: spec.lexicon), phoneSet: spec.phoneSet, oovMode: spec.oovMode)
        let transcripts = try TableFile(path: spec.transcripts).dictionary
        var aligner = ForcedAligner(model: try ModelFile.read(path: spec.model), compiler: compiler)
        aligner.minimumDuration = spec.minimumDuration
        aligner.minimumPause = spec.minimumPause
        aligner.priorScale = spec.priorScale
        aligner.logPriors = spec.logPriors
        let workspace = NetworkWorkspace()
        let writer = try KaldiArchiveWriter(path: file("ali.\(job).ark"))
        var result = LaunchedAlignmentResult(score: 0, failures: [])
        let keys = UtteranceWorkers.share(spec.keys, part: job - 1, of: jobs)
        for key in keys {
            do {
                let compiled = try compiler.compile(utterance: key, transcript: transcripts[key] ?? "")
                let (classes, score) = try realignOne(key, aligner: aligner, compiled: compiled, source: source, workspace: workspace)
                try writer.write(key: key, .intVector(classes))
                result.score += score
            } catch let error as AlignError {
                result.failures.append("\(error)")
            }
        }
        try writer.commit()
        try JSONFile.write(result, to: file("stats.\(job).json"))
        print("re-alignment part \(job) of \(jobs): \(keys.count - result.failures.count) of \(keys.count) utterances aligned")
    }

    /// Share of frames whose label differs between two alignments (utterances in both).
    func changedShare(_ a: [String: [Int32]], _ b: [String: [Int32]]) -> Double {
        var changed = 0, total = 0
        for (key, x) in a {
            guard let y = b[key], y.count == x.count else { continue }
            total += x.count
            for i in x.indices where x[i] != y[i] { changed += 1 }
        }
        return total > 0 ? Double(changed) / Double(total) : 1
    }

    /// Log relative frequency of each class in an alignment (floored, so no class is impossible).
    func logPriors(_ targets: [String: [Int32]], classes: Int) -> [Float] {
        var counts = [Double](repeating: 1, count: classes)
        for values in targets.values { for c in values { counts[Int(c)] += 1 } }
        let total = counts.reduce(0, +)
        return counts.map { Float(log($0 / total)) }
    }
}
