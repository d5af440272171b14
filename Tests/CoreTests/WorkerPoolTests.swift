@testable import Core
import Foundation
import Testing

@Suite struct WorkerPoolTests {
    @Test func sharesCoverEveryItemOnceInOrder() {
        let items = Array(0..<23)
        for parts in 1...7 {
            let joined = (0..<parts).flatMap { WorkerPool.share(items, part: $0, of: parts) }
            #expect(joined == items)
            let sizes = (0..<parts).map { WorkerPool.share(items, part: $0, of: parts).count }
            #expect(sizes.max()! - sizes.min()! <= 1)
        }
    }

    @Test func mapReturnsResultsInItemOrderWithOneStatePerThread() {
        let items = (0..<101).map { "u\($0)" }
        let states = NSLock()
        var made = 0
        var reports = [Int]()
        let results = WorkerPool.map(items, jobs: 3, batchSize: 4, state: { () -> Int in
            states.lock(); made += 1; states.unlock()
            return 0
        }, progress: { done, total in
            #expect(total == 101)
            reports.append(done)
        }) { batch, calls -> [String] in
            calls += 1
            #expect(batch.count <= 4)
            return batch.map { $0.uppercased() }
        }
        #expect(results == items.map { $0.uppercased() })
        #expect(made == 3)
        #expect(reports == Array(1...101))
    }

    /// With lengths, batches hold items of neighbouring lengths, longest first (ties in item
    /// order), dealt to the threads in turn; results still come back in item order. Worked by
    /// hand: lengths 3 9 1 7 7 2 8 5 in batches of 3 → [9 8 7] [7 5 3] [2 1], thread 0 gets the
    /// first and third, thread 1 the second.
    @Test func batchesByLengthAreDealtInTurnAndResultsKeepTheirOrder() {
        let lengths = ["a": 3, "b": 9, "c": 1, "d": 7, "e": 7, "f": 2, "g": 8, "h": 5]
        let items = ["a", "b", "c", "d", "e", "f", "g", "h"]
        final class Seen { var batches = [[String]]() }
        let lock = NSLock()
        var states = [Seen]()
        let (results, failures) = WorkerPool.runKeeping(items, jobs: 2, batchSize: 3, length: { lengths[$0]! }, state: { () -> Seen in
            let seen = Seen()
            lock.lock(); states.append(seen); lock.unlock()
            return seen
        }, done: { _ in }, progress: nil) { batch, seen -> [Result<String, Error>] in
            seen.batches.append(batch)
            return batch.map { .success($0.uppercased()) }
        }
        #expect(failures.isEmpty)
        #expect(results == Dictionary(uniqueKeysWithValues: items.map { ($0, $0.uppercased()) }))
        let perThread = Set(states.map(\.batches))
        #expect(perThread == [[["b", "g", "d"], ["f", "c"]], [["e", "h", "a"]]])
        let ordered = WorkerPool.map(items, jobs: 2, batchSize: 3, length: { lengths[$0]! }, state: { () }, done: { _ in }, progress: nil) { batch, _ in
            batch.map { $0 + "!" }
        }
        #expect(ordered == items.map { $0 + "!" })
    }

    @Test func runKeepsGoingPastFailuresAndSortsThemByKey() {
        let keys = ["b", "a2", "a10", "c"]
        let (results, failures) = WorkerPool.run(keys, jobs: 2, state: { () }, progress: nil) { batch, _ in
            batch.map { key in key.hasPrefix("a") ? .failure(WorkerPool.Failure("utterance \(key): bad")) : .success(key.count) }
        }
        #expect(results == ["b": 1, "c": 1])
        #expect(failures.map(\.0) == ["a10", "a2"])
        #expect(failures.map(\.1) == ["bad", "bad"])
    }

    /// Blocks of a run share the threads' states: 7 blocks on 2 threads make at most 2 states
    /// (one, when a thread finishes before the other starts), not 2 a block; the states between
    /// them see all 14 batches (counted in the states themselves).
    @Test func blocksKeepTheThreadsStates() {
        final class Counter { var batches = 0 }
        let keys = (0..<70).map { String(format: "u%02d", $0) }
        let lock = NSLock()
        var made = [Counter]()
        var consumed = [String]()
        let (count, failures) = WorkerPool.runInBlocks(keys, blockSize: 10, jobs: 2, batchSize: 5, state: { () -> Counter in
            let counter = Counter()
            lock.lock(); made.append(counter); lock.unlock()
            return counter
        }, progress: nil) { batch, counter -> [Result<Int, Error>] in
            counter.batches += 1
            return batch.map { .success($0.count) }
        } consume: { block, results in
            consumed += results.map(\.key)
            #expect(results.count == block.count)
        }
        #expect(count == 70 && failures.isEmpty)
        #expect(consumed == keys)
        #expect((1...2).contains(made.count))
        #expect(made.reduce(0) { $0 + $1.batches } == 14)
    }

    @Test func parallelThrowsTheLowestFailingPartsErrorAfterAllFinish() {
        let lock = NSLock()
        var finished = Set<Int>()
        #expect(throws: WorkerPool.Failure.self) {
            _ = try WorkerPool.parallel(parts: 4) { part -> Int in
                lock.lock(); finished.insert(part); lock.unlock()
                if part >= 2 { throw WorkerPool.Failure("part \(part)") }
                return part
            }
        }
        #expect(finished == [0, 1, 2, 3])
        do {
            _ = try WorkerPool.parallel(parts: 4) { part -> Int in
                if part >= 2 { throw WorkerPool.Failure("part \(part)") }
                return part
            }
        } catch {
            #expect("\(error)" == "part 2")
        }
        #expect((try? WorkerPool.parallel(parts: 3) { $0 * $0 }) == [0, 1, 4])
    }
}
