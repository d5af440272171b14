import Acoustic
import Align
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// A round's re-alignment: every utterance through `ForcedAligner.align` in batches (the one
/// batched path that `parrot align` uses too), on threads here or as launched jobs.
extension AlignmentTrainer {
    /// What a round's re-alignment gives: the new targets (an utterance that failed keeps its
    /// previous alignment), the summed path log-likelihood and frames of those aligned, the failures.
    struct Realignment {
        var targets: [String: FrameLabels]
        var logLikelihood = 0.0
        var frames = 0
        var failed = 0
        var messages = [String]()

        /// Adds the outcomes of `keys`; an utterance that cannot be aligned (`AlignError`) is a
        /// failure, any other error (an unreadable archive) stops training.
        mutating func add(_ keys: [String], _ outcomes: [Result<ForcedAligner.Output, Error>]) throws {
            for (key, outcome) in zip(keys, outcomes) {
                do {
                    let output = try outcome.get()
                    targets[key] = FrameLabels(output.alignment.frameClasses)
                    logLikelihood += output.logLikelihood
                    frames += output.alignment.frames
                } catch let error as AlignError {
                    failed += 1
                    messages.append("\(error)")
                }
            }
        }
    }

    /// What a launched re-alignment job needs: `MODEL_DIR/jobs/align-N/job.json`.
    struct LaunchedAlignment: Codable {
        var model: String
        var features: String
        var lexicon: String
        var transcripts: String
        var phoneSet: [String]
        var alignment: AlignerOptions
        var logPriors: [Float]
        var keys: [String]
    }

    struct LaunchedAlignmentResult: Codable {
        var score: Double
        var frames: Int
        var failures: [String]
    }

    /// Aligns `keys` with their compiled transcripts on `options.jobs` threads, in batches of
    /// utterances of about one length (as `parrot align` does); progress goes out as round
    /// `round`'s re-alignment.
    func alignAll(_ keys: [String], compiled: CompiledTranscripts, aligner: ForcedAligner, round: Int) -> [Result<ForcedAligner.Output, Error>] {
        WorkerPool.map(keys, jobs: options.jobs, batchSize: AcousticModel.batchSize, length: { self.source.features.rows(of: $0) ?? 0 },
                       state: NetworkWorkspace.forInference, progress: { done, total in
            self.onEvent?(.realignment(round: round, done: done, of: total))
        }) { batch, workspace in
            aligner.align(batch, transcript: compiled.compile, features: source.normalizedFeatures, workspace: workspace).map { $0.map(\.output) }
        }
    }

    /// Re-aligns every utterance of `previous` on `options.jobs` threads.
    func realign(_ aligner: ForcedAligner, compiled: CompiledTranscripts, previous: [String: FrameLabels], round: Int) throws -> Realignment {
        let keys = previous.keys.sorted(by: cLocaleLess)
        var result = Realignment(targets: previous)
        try result.add(keys, alignAll(keys, compiled: compiled, aligner: aligner, round: round))
        for message in result.messages { onEvent?(.message("round \(round): \(message)")) }
        return result
    }

    /// A round's re-alignment as `jobs` launched parts (`parrot train-worker align …`), each
    /// aligning a contiguous share of the utterances.
    func realignLaunched(_ launcher: JobLauncher, round: Int, phoneSet: [String], priors: [Float], previous: [String: FrameLabels]) throws -> Realignment {
        guard let lexiconPath else { throw AlignError.badLexiconLine(path: "(none)", line: 0, reason: "launched re-alignment needs the lexicon's file") }
        let keys = previous.keys.sorted(by: cLocaleLess)
        let jobs = WorkerPool.jobCount(options.jobs, items: keys.count)
        let directory = JobLauncher.absolute(path("jobs/align-\(round)"))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let transcriptsPath = JobLauncher.absolute(path("jobs/text"))
        if !FileManager.default.fileExists(atPath: transcriptsPath) {
            try TableFile.writeInOrder(transcripts, to: transcriptsPath)
        }
        let spec = LaunchedAlignment(model: JobLauncher.absolute(path("round-\(round)/final.mdl")), features: JobLauncher.absolute(source.directory),
                                     lexicon: JobLauncher.absolute(lexiconPath), transcripts: transcriptsPath, phoneSet: phoneSet,
                                     alignment: options.alignment, logPriors: priors, keys: keys)
        try JSONFile.write(spec, to: file("job.json"))
        onEvent?(.message("round \(round): re-alignment in \(jobs) jobs through \(launcher.command) (logs in \(directory)/log)"))
        try launcher.run(jobs: jobs, log: file("log/align.JOB.log"), arguments: ["train-worker", "align", directory, "JOB", String(jobs)])
        var result = Realignment(targets: previous)
        for job in 1...jobs {
            for (key, value) in try TargetTable.read(path: file("ali.\(job).ark")) { result.targets[key] = value }
            let stats = try JSONFile.read(LaunchedAlignmentResult.self, from: file("stats.\(job).json"))
            result.logLikelihood += stats.score
            result.frames += stats.frames
            result.failed += stats.failures.count
            for message in stats.failures { onEvent?(.message("round \(round): \(message)")) }
            try? FileManager.default.removeItem(atPath: file("ali.\(job).ark"))
        }
        return result
    }

    /// A launched re-alignment part (`parrot train-worker align JOB_DIR JOB JOBS`): aligns the
    /// `job`-th (1-based) contiguous share of the job's utterances, as the threads of
    /// `realign` would, and writes `ali.JOB.ark` and `stats.JOB.json`.
    /// - Returns: a one-line summary for the job's log.
    public static func runLaunchedAlignment(directory: String, job: Int, jobs: Int) throws -> String {
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let spec = try JSONFile.read(LaunchedAlignment.self, from: file("job.json"))
        guard job >= 1, job <= jobs else { throw AlignError.badLexiconLine(path: file("job.json"), line: 0, reason: "no job \(job) of \(jobs)") }
        let model = try ModelFile.read(path: spec.model)
        var source = try FeatureSource(path: spec.features)
        source.varianceNormalization = model.varianceNormalization
        let compiler = TranscriptCompiler(lexicon: try Lexicon(path: spec.lexicon), phoneSet: spec.phoneSet, oovMode: spec.alignment.oovMode)
        let transcripts = try TableFile.packed(path: spec.transcripts)
        var aligner = ForcedAligner(model: model, compiler: compiler, options: spec.alignment)
        aligner.logPriors = spec.logPriors
        let keys = Array(WorkerPool.share(spec.keys, part: job - 1, of: jobs))
        let workspace = NetworkWorkspace.forInference()
        var result = Realignment(targets: [:])
        for start in stride(from: 0, to: keys.count, by: AcousticModel.batchSize) {
            let batch = Array(keys[start..<min(keys.count, start + AcousticModel.batchSize)])
            try result.add(batch, aligner.align(batch, transcript: { try compiler.compile(utterance: $0, transcript: transcripts[$0] ?? "") },
                                                features: source.normalizedFeatures, workspace: workspace).map { $0.map(\.output) })
        }
        try TargetTable.write(result.targets, to: file("ali.\(job).ark"))
        try JSONFile.write(LaunchedAlignmentResult(score: result.logLikelihood, frames: result.frames, failures: result.messages), to: file("stats.\(job).json"))
        return "re-alignment part \(job) of \(jobs): \(keys.count - result.failed) of \(keys.count) utterances aligned"
    }

    /// Share of frames whose label differs between two alignments (utterances in both).
    func changedShare(_ a: [String: FrameLabels], _ b: [String: FrameLabels]) -> Double {
        var changed = 0, total = 0
        for (key, x) in a {
            guard let y = b[key], y.count == x.count else { continue }
            total += x.count
            for (p, q) in zip(x, y) where p != q { changed += 1 }
        }
        return total > 0 ? Double(changed) / Double(total) : 1
    }

    /// Log relative frequency of each class in an alignment (floored, so no class is impossible).
    func logPriors(_ targets: [String: FrameLabels], classes: Int) -> [Float] {
        var counts = [Double](repeating: 1, count: classes)
        for values in targets.values { for run in values.runLengths { counts[Int(run.label)] += Double(run.frames) } }
        let total = counts.reduce(0, +)
        return counts.map { Float(log($0 / total)) }
    }
}
