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
            // Utterances are read into a block of at most `blockSize` of them and `blockFrames`
            // frames (a long recording fills a block alone), then run and written in order.
            var block = [(key: String, features: Result<Matrix, Error>)]()
            var blockFrames = 0
            func flush() throws {
                for (key, outcome) in zip(block.map(\.key), logPosteriors(block.map(\.features), workspace: workspace)) {
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
                block.removeAll()
                blockFrames = 0
            }
            for key in WorkerPool.share(keys, part: job, of: jobs) {
                let features = Result { try source.normalizedFeatures(key) }
                let frames = (try? features.get().rows) ?? 0
                if !block.isEmpty, blockFrames + frames > Self.blockFrames { try flush() }
                block.append((key, features))
                blockFrames += frames
                if block.count == Self.blockSize { try flush() }
            }
            try flush()
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
    /// Frames read at a time, at most (unless one utterance has more): 10 minutes at 10 ms.
    static let blockFrames = 60_000
    /// Utterances per network pass: a batch runs the recurrent products as matrix products,
    /// about four times faster than one utterance at a time (32 or 64 are no faster).
    static let batchSize = 16

    /// Log-posteriors of a block of utterances' features (CMVN applied), in order: grouped by
    /// length into batches of `batchSize`, longest first, each batch one network pass
    /// (`AcousticModel.logPosteriors`). An utterance whose features could not be read keeps that
    /// error; a batch that fails (features of another dimension) runs again one utterance at a time.
    func logPosteriors(_ block: [Result<Matrix, Error>], workspace: NetworkWorkspace) -> [Result<Matrix, Error>] {
        var out = block
        // The utterances read, longest first, so the workspace grows once, for the first batch.
        let rows = block.map { (try? $0.get())?.rows }
        let order = block.indices.filter { rows[$0] != nil }.sorted { (rows[$0]!, $1) > (rows[$1]!, $0) }
        for start in stride(from: 0, to: order.count, by: Self.batchSize) {
            let batch = Array(order[start..<min(start + Self.batchSize, order.count)])
            for (i, scores) in zip(batch, model.logPosteriors(batch.map { i in block[i] }, workspace: workspace)) { out[i] = scores }
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
