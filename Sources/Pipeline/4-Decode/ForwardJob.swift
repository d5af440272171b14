import Acoustic
import Core
import Corpus
import Foundation
import KaldiIO

/// Computes per-frame log-posteriors of every utterance in a feature source and writes them as
/// Kaldi float-matrix archives (`frames × classes`), with an index `.scp`.
///
/// With `jobs` > 1, utterances are shared out in contiguous blocks, each worker writing its own
/// archive (`name.1.ark`, `name.2.ark`, …); the index lists them all in order.
public struct ForwardJob {
    public let model: AcousticModel
    public let source: FeatureSource
    public var jobs = 1
    /// Called after each utterance with (done, total); one call at a time.
    public var progress: ((Int, Int) -> Void)?

    public init(model: AcousticModel, source: FeatureSource) {
        self.model = model
        self.source = source
    }

    /// Runs the job.
    /// - Parameter output: archive path (`post.ark`); the index is written beside it (`post.scp`).
    /// - Returns: utterances written and failures (utterance, reason).
    public func run(output: String) throws -> (written: Int, failures: [(String, String)]) {
        let keys = source.keys
        let jobs = WorkerPool.jobCount(self.jobs, items: keys.count)
        let stem = output.hasSuffix(".ark") ? String(output.dropLast(4)) : output
        let counter = ProgressCounter(total: keys.count, progress)
        let parts = try WorkerPool.parallel(parts: jobs) { job -> (entries: [(key: String, location: ArchiveLocation)], failures: [(String, String)]) in
            let archive = try KaldiArchiveWriter(path: jobs == 1 ? stem + ".ark" : "\(stem).\(job + 1).ark")
            let workspace = NetworkWorkspace()
            var entries = [(key: String, location: ArchiveLocation)](), failures = [(String, String)]()
            for key in WorkerPool.share(keys, part: job, of: jobs) {
                defer { counter.advance() }
                do {
                    let posteriors = try model.logPosteriors(try source.normalizedFeatures(key), workspace: workspace)
                    guard posteriors.rows > 0 else { throw AcousticModelError.noTrainingData(reason: "utterance \(key) has no frames") }
                    entries.append((key, try archive.write(key: key, .floatMatrix(posteriors))))
                } catch let error as KaldiIOError where error.isWriteError {
                    throw error
                } catch {
                    failures.append((key, "\(error)"))
                }
            }
            try archive.commit()
            return (entries, failures)
        }
        let all = parts.flatMap(\.entries)
        try ScriptFile.write(all, to: stem + ".scp")
        return (all.count, parts.flatMap(\.failures))
    }
}

extension KaldiIOError {
    /// True for errors writing output (which stop a job), as opposed to reading one input.
    var isWriteError: Bool {
        if case .cannotWrite = self { return true }
        return false
    }
}
