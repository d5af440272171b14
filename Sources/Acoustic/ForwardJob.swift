import Dispatch
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
        let jobs = max(1, min(self.jobs, keys.count))
        let stem = output.hasSuffix(".ark") ? String(output.dropLast(4)) : output
        let lock = NSLock()
        var done = 0
        var entries = [[(key: String, location: ArchiveLocation)]](repeating: [], count: jobs)
        var failures = [(String, String)]()
        var fatal: Error?
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            do {
                let archive = try KaldiArchiveWriter(path: jobs == 1 ? stem + ".ark" : "\(stem).\(job + 1).ark")
                let workspace = NetworkWorkspace()
                for key in keys[(keys.count * job / jobs)..<(keys.count * (job + 1) / jobs)] {
                    do {
                        let input = try source.input(key, splice: model.configuration.splice, mean: model.inputMean, scale: model.inputScale)
                        guard input.frames > 0 else { throw AcousticModelError.noTrainingData(reason: "utterance \(key) has no frames") }
                        let batch = Batch(keys: [key], inputs: [input.values], targets: nil, dimension: model.configuration.inputDimension)
                        model.network.forward(batch, workspace: workspace)
                        let posteriors = Matrix(rows: input.frames, columns: model.configuration.classes,
                                                values: workspace.logPosteriorValues(rows: input.frames))
                        let location = try archive.write(key: key, .floatMatrix(posteriors))
                        lock.lock(); entries[job].append((key, location)); lock.unlock()
                    } catch let error as KaldiIOError where error.isWriteError {
                        throw error
                    } catch {
                        lock.lock(); failures.append((key, "\(error)")); lock.unlock()
                    }
                    lock.lock(); done += 1; progress?(done, keys.count); lock.unlock()
                }
                try archive.commit()
            } catch {
                lock.lock(); fatal = error; lock.unlock()
            }
        }
        if let fatal { throw fatal }
        let all = entries.flatMap { $0 }
        try ScriptFile.write(all, to: stem + ".scp")
        return (all.count, failures)
    }
}

extension KaldiIOError {
    /// True for errors writing output (which stop a job), as opposed to reading one input.
    var isWriteError: Bool {
        if case .cannotWrite = self { return true }
        return false
    }
}
