import Foundation
import KaldiIO

/// Work on every utterance of a batch across threads, as alignment and decoding do it: the
/// keys are cut into `jobs` contiguous blocks, each thread has its own `NetworkWorkspace`, and
/// an utterance that throws is recorded with its reason while the rest go on.
public enum UtteranceWorkers {
    /// A failure with a plain reason (the utterance is named where the failure is reported).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ reason: String) { description = reason }
    }

    /// Runs `body` for each key; `progress(done, total)` after each, one call at a time.
    /// - Returns: results by key, and failures (key, reason) in C-locale order of key.
    public static func run<T>(_ keys: [String], jobs: Int, progress: ((Int, Int) -> Void)?,
                              _ body: (String, NetworkWorkspace) throws -> T) -> (results: [String: T], failures: [(String, String)]) {
        runBatches(keys, jobs: jobs, batchSize: 1, progress: progress) { batch, workspace in
            batch.map { key in Result { try body(key, workspace) } }
        }
    }

    /// Like `run`, but hands each thread up to `batchSize` consecutive keys of its share at a
    /// time (for batched network passes); `body` returns a result or an error per key, in order.
    public static func runBatches<T>(_ keys: [String], jobs: Int, batchSize: Int, progress: ((Int, Int) -> Void)?,
                                     _ body: ([String], NetworkWorkspace) -> [Result<T, Error>]) -> (results: [String: T], failures: [(String, String)]) {
        let jobCount = Self.jobCount(jobs, items: keys.count)
        let lock = NSLock()
        var results = [String: T]()
        var failures = [(String, String)]()
        var done = 0
        DispatchQueue.concurrentPerform(iterations: jobCount) { job in
            let workspace = NetworkWorkspace()
            let mine = Array(share(keys, part: job, of: jobCount))
            for start in stride(from: 0, to: mine.count, by: max(1, batchSize)) {
                let batch = Array(mine[start..<min(mine.count, start + max(1, batchSize))])
                let outcomes = body(batch, workspace)
                precondition(outcomes.count == batch.count, "one result per key")
                lock.lock()
                for (key, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case let .success(value): results[key] = value
                    case let .failure(error): failures.append((key, reason(error, utterance: key)))
                    }
                    done += 1
                    progress?(done, keys.count)
                }
                lock.unlock()
            }
        }
        return (results, failures.sorted { cLocaleLess($0.0, $1.0) })
    }

    /// The message of `error` for a report that already names `utterance` (without a leading
    /// "utterance KEY: " of its own).
    public static func reason(_ error: Error, utterance: String) -> String {
        let text = "\(error)"
        let prefix = "utterance \(utterance): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// How many jobs share `items` things: `jobs`, but at least 1 and at most one per item.
    public static func jobCount(_ jobs: Int, items: Int) -> Int { max(1, min(jobs, items)) }

    /// Part `part` (0-based) of `parts` contiguous, nearly equal blocks of `items` — the same
    /// cut whether the parts run as threads here or as launched jobs.
    public static func share<T>(_ items: [T], part: Int, of parts: Int) -> ArraySlice<T> {
        items[(items.count * part / parts)..<(items.count * (part + 1) / parts)]
    }
}
