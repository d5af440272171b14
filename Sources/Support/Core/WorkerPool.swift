import Foundation

/// Parrot's one engine for work across threads: every per-utterance job (features, validation,
/// network forward passes, alignment, decoding) and the model copies of parallel training run
/// through it. Work is cut into `jobs` contiguous, nearly equal shares, the same cut whether the
/// shares run as threads here or as launched jobs (`share(_:part:of:)`); each thread keeps its
/// own state (a network workspace, an archive writer), and progress is reported one call at a time.
public enum WorkerPool {
    /// A failure with a plain reason (the utterance is named where the failure is reported).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ reason: String) { description = reason }
    }

    /// Runs `body(part)` for every part in `0..<parts`, each on its own thread, and returns the
    /// results in part order. When a part throws, the others still finish; then the error of the
    /// lowest-numbered failing part is thrown.
    public static func parallel<T>(parts: Int, _ body: (Int) throws -> T) throws -> [T] {
        let lock = NSLock()
        var outcomes = [Result<T, Error>?](repeating: nil, count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let outcome = Result { try body(part) }
            lock.lock(); outcomes[part] = outcome; lock.unlock()
        }
        return try outcomes.map { try $0!.get() }
    }

    /// Runs `body` over `items` on `jobs` threads, handing each thread up to `batchSize`
    /// consecutive items of its share at a time, with the thread's own `state` (made once per
    /// thread). `progress(done, total)` follows every item, one call at a time.
    /// With `length`, batches are items of about one length instead (see the next `map`).
    /// - Returns: `body`'s results (one per item, in order), in item order.
    public static func map<Item, State, T>(_ items: [Item], jobs: Int, batchSize: Int = 1, length: ((Item) -> Int)? = nil, state makeState: () -> State,
                                           progress: ((Int, Int) -> Void)?, _ body: ([Item], inout State) -> [T]) -> [T] {
        map(items, jobs: jobs, batchSize: batchSize, length: length, state: makeState, done: { _ in }, progress: progress, body)
    }

    /// `map`, handing each thread's state to `done` when its share is finished. With `length`,
    /// the items are grouped by it into batches (longest first, so a thread's buffers grow once)
    /// and the batches dealt to the threads in turn, so each thread gets long and short ones alike;
    /// the results still come back in the order of `items`.
    static func map<Item, State, T>(_ items: [Item], jobs: Int, batchSize: Int, length: ((Item) -> Int)? = nil, state makeState: () -> State,
                                    done: (State) -> Void, progress: ((Int, Int) -> Void)?, _ body: ([Item], inout State) -> [T]) -> [T] {
        let parts = jobCount(jobs, items: items.count)
        let counter = ProgressCounter(total: items.count, progress)
        let size = max(1, batchSize)
        // Each thread's batches, as indices into `items`.
        let batchesOf: (Int) -> [[Int]]
        if let length {
            let lengths = items.map(length)
            let order = items.indices.sorted { (lengths[$0], $1) > (lengths[$1], $0) }
            let batches = stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min(order.count, $0 + size)]) }
            batchesOf = { part in Array(stride(from: part, to: batches.count, by: parts).map { batches[$0] }) }
        } else {
            batchesOf = { part in
                let mine = share(Array(items.indices), part: part, of: parts)
                return stride(from: mine.startIndex, to: mine.endIndex, by: size).map { Array(mine[$0..<min(mine.endIndex, $0 + size)]) }
            }
        }
        // No body throws, so neither does the pool.
        let results = (try? parallel(parts: parts) { part -> [(index: Int, value: T)] in
            var state = makeState()
            var out = [(index: Int, value: T)]()
            for batch in batchesOf(part) {
                let outcomes = body(batch.map { items[$0] }, &state)
                precondition(outcomes.count == batch.count, "one result per item")
                out += zip(batch, outcomes).map { (index: $0, value: $1) }
                counter.advance(by: batch.count)
            }
            done(state)
            return out
        }) ?? []
        // Every index once; the old contiguous shares come back already in order.
        let all = results.flatMap { $0 }
        return length == nil ? all.map(\.value) : all.sorted { $0.index < $1.index }.map(\.value)
    }

    /// Runs `body` on every utterance key (batches of `batchSize` consecutive keys of a thread's
    /// share, for batched network passes), `body` returning a result or an error per key in order.
    /// An utterance that fails is recorded with its reason while the rest go on.
    /// - Returns: results by key, and failures (key, reason) in C-locale order of key.
    public static func run<State, T>(_ keys: [String], jobs: Int, batchSize: Int = 1, state: () -> State, progress: ((Int, Int) -> Void)?,
                                     _ body: ([String], inout State) -> [Result<T, Error>]) -> (results: [String: T], failures: [(String, String)]) {
        runKeeping(keys, jobs: jobs, batchSize: batchSize, state: state, done: { _ in }, progress: progress, body)
    }

    /// `run`, handing each thread's state to `done` when its share is finished.
    static func runKeeping<State, T>(_ keys: [String], jobs: Int, batchSize: Int, length: ((String) -> Int)? = nil, state: () -> State, done: (State) -> Void,
                                     progress: ((Int, Int) -> Void)?, _ body: ([String], inout State) -> [Result<T, Error>]) -> (results: [String: T], failures: [(String, String)]) {
        let outcomes = map(keys, jobs: jobs, batchSize: batchSize, length: length, state: state, done: done, progress: progress, body)
        var results = [String: T]()
        var failures = [(String, String)]()
        for (key, outcome) in zip(keys, outcomes) {
            switch outcome {
            case let .success(value): results[key] = value
            case let .failure(error): failures.append((key, reason(error, utterance: key)))
            }
        }
        return (results, failures.sorted { cLocaleLess($0.0, $1.0) })
    }

    /// `run` over `keys` a block of `blockSize` at a time, handing each block's keys and results
    /// to `consume` (on the calling thread) in order before the next block starts, so that the
    /// results of a whole corpus are never held at once. `progress` counts over all the keys.
    /// The threads' states are made once and kept from block to block (a network workspace keeps
    /// its buffers), and the memory freed in a block goes back to the system (`FreedMemory`).
    /// - Returns: the number of results, and failures (key, reason) in the order of `keys`' blocks
    ///   (C-locale order when `keys` is sorted so).
    public static func runInBlocks<State, T>(_ keys: [String], blockSize: Int = 2_048, jobs: Int, batchSize: Int = 1, length: ((String) -> Int)? = nil, state: () -> State,
                                             progress: ((Int, Int) -> Void)?, _ body: ([String], inout State) -> [Result<T, Error>],
                                             consume: (_ block: [String], _ results: [(key: String, value: T)]) throws -> Void) rethrows -> (count: Int, failures: [(String, String)]) {
        var count = 0
        var failures = [(String, String)]()
        let shelf = StateShelf<State>()
        for start in stride(from: 0, to: keys.count, by: blockSize) {
            let block = Array(keys[start..<min(start + blockSize, keys.count)])
            let report = progress.map { report in { (done: Int, _: Int) in report(start + done, keys.count) } }
            let (results, blockFailures) = runKeeping(block, jobs: jobs, batchSize: batchSize, length: length, state: { shelf.take() ?? state() }, done: shelf.put,
                                                      progress: report, body)
            try consume(block, block.compactMap { key in results[key].map { (key, $0) } })
            FreedMemory.release()
            count += results.count
            failures += blockFailures
        }
        return (count, failures)
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

/// Counts finished items across threads and reports `(done, total)` after each, one call at a time.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let report: ((Int, Int) -> Void)?
    private var done = 0

    public init(total: Int, _ report: ((Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    /// Adds `count` finished items, reporting after each.
    public func advance(by count: Int = 1) {
        lock.lock()
        defer { lock.unlock() }
        for _ in 0..<count {
            done += 1
            report?(done, total)
        }
    }
}

/// Thread states kept between runs: `take` hands out a kept one, if any; `put` keeps one again.
private final class StateShelf<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var kept = [State]()

    func take() -> State? {
        lock.lock()
        defer { lock.unlock() }
        return kept.popLast()
    }

    func put(_ state: State) {
        lock.lock()
        kept.append(state)
        lock.unlock()
    }
}
