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
            let workspace = NetworkWorkspace.forInference()
            var entries = [(key: String, location: ArchiveLocation)](), failures = [(String, String)]()
            let share = Array(WorkerPool.share(keys, part: job, of: jobs))
            for block in stride(from: 0, to: share.count, by: Self.blockSize) {
                let blockKeys = Array(share[block..<min(block + Self.blockSize, share.count)])
                for (key, outcome) in zip(blockKeys, logPosteriors(blockKeys, workspace: workspace)) {
                    defer { counter.advance() }
                    do {
                        let posteriors = try outcome.get()
                        guard posteriors.rows > 0 else { throw AcousticModelError.noTrainingData(reason: "utterance \(key) has no frames") }
                        entries.append((key, try archive.write(key: key, .floatMatrix(posteriors))))
                    } catch let error as KaldiIOError where error.isWriteError {
                        throw error
                    } catch {
                        failures.append((key, "\(error)"))
                    }
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

extension ForwardJob {
    /// Utterances read at a time: sorted by length into network batches, written in order.
    static let blockSize = 64
    /// Utterances per network pass: a padded batch runs the recurrent products as matrix
    /// products, about four times faster than one utterance at a time.
    static let batchSize = 16

    /// Log-posteriors of `keys`, in order: the utterances grouped by length into batches of
    /// `batchSize` (little padding), longest first, each batch one network pass. An utterance
    /// whose features cannot be read fails alone; a batch that fails (features of another
    /// dimension) runs again one utterance at a time.
    func logPosteriors(_ keys: [String], workspace: NetworkWorkspace) -> [Result<Matrix, Error>] {
        var out = keys.map { _ in Result<Matrix, Error>.failure(AcousticModelError.noTrainingData(reason: "not computed")) }
        var features = [Int: Matrix]()
        for (i, key) in keys.enumerated() {
            do { features[i] = try source.normalizedFeatures(key) } catch { out[i] = .failure(error) }
        }
        // Longest first, so the workspace grows once, for the first batch.
        let order = features.keys.sorted { (features[$0]!.rows, $1) > (features[$1]!.rows, $0) }
        for start in stride(from: 0, to: order.count, by: Self.batchSize) {
            let batch = Array(order[start..<min(start + Self.batchSize, order.count)])
            if let scores = try? model.logPosteriors(batch.map { features[$0]! }, workspace: workspace) {
                for (i, matrix) in zip(batch, scores) { out[i] = .success(matrix) }
            } else {
                for i in batch { out[i] = Result { try model.logPosteriors(features[i]!, workspace: workspace) } }
            }
        }
        return out
    }
}

extension KaldiIOError {
    /// True for errors writing output (which stop a job), as opposed to reading one input.
    var isWriteError: Bool {
        if case .cannotWrite = self { return true }
        return false
    }
}
