import Foundation
import Testing

/// Data a test reads from outside the repository: real recordings, and reference features
/// computed from them. None of it ships with Parrot (see README, Corpora).
public enum CorpusData: String, Sendable, CaseIterable {
    /// The Free Spoken Digit Dataset: `fsdd/recordings/*.wav` in the corpora folder.
    case fsdd
    /// Kaldi's yesno: `yesno/waves_yesno/*.wav` in the corpora folder.
    case yesno
    /// Kaldi-compatible filterbank features of FSDD and yesno recordings: `golden/` beside the
    /// corpora folder.
    case golden

    /// The folder that must exist for a test to read this data.
    public var folder: URL {
        switch self {
        case .fsdd: TestSupport.corporaDirectory.appendingPathComponent("fsdd/recordings")
        case .yesno: TestSupport.corporaDirectory.appendingPathComponent("yesno/waves_yesno")
        case .golden: TestSupport.goldenDirectory
        }
    }
}

/// Runs a test only where the corpus data it reads is found; otherwise skips it, and the run
/// ends with one line saying how many tests were skipped and why (see `CorpusSkips`). With
/// `PARROT_REQUIRE_CORPORA=1` (CI) the test fails instead, naming the missing folder.
///
/// On a suite it applies to each of the suite's tests, so that each skip is counted.
/// e.g. `@Test(.requiresCorpus(.fsdd, .golden)) func ...` or `@Suite(.requiresCorpus(.yesno))`.
public struct CorpusTrait: TestTrait, SuiteTrait {
    /// What to do about a test, given which of its folders exist.
    public enum Decision: Equatable, Sendable {
        case run
        case skip(missing: String)
        case fail(message: String)
    }

    /// The data the test reads.
    public var data: [CorpusData]

    public var isRecursive: Bool { true }

    /// Whether a missing corpus fails the run instead of skipping (`PARROT_REQUIRE_CORPORA=1`).
    public static var corporaRequired: Bool {
        ProcessInfo.processInfo.environment["PARROT_REQUIRE_CORPORA"] == "1"
    }

    /// The decision for folders `folders`, of which those for which `exists` is false are
    /// missing; `search` says where the corpora were looked for.
    public static func decide(folders: [String], exists: (String) -> Bool, required: Bool, search: String) -> Decision {
        guard let missing = folders.first(where: { !exists($0) }) else { return .run }
        if required {
            return .fail(message: "corpus data not found: \(missing) is not a folder (\(search)), and "
                + "PARROT_REQUIRE_CORPORA=1 makes that a failure (set PARROT_CORPORA, or run ./setup.sh --corpora; see README, Corpora)")
        }
        return .skip(missing: missing)
    }

    public func prepare(for test: Test) async throws {
        // A suite decides nothing itself: each of its tests carries this trait and is counted.
        guard !test.isSuite else { return }
        switch Self.decide(folders: data.map(\.folder.path), exists: TestSupport.isDirectory, required: Self.corporaRequired,
                           search: TestSupport.corporaSearch) {
        case .run:
            return
        case let .fail(message):
            throw TestFailure(message)
        case let .skip(missing):
            CorpusSkips.record()
            // A disabled condition's preparation is how Swift Testing is told to skip a test.
            try await ConditionTrait.disabled("corpora not found: \(missing) (see README, Corpora)").prepare(for: test)
        }
    }
}

extension Trait where Self == CorpusTrait {
    /// The test reads `data` (see `CorpusTrait`).
    public static func requiresCorpus(_ data: CorpusData...) -> Self { CorpusTrait(data: data) }
}

/// Counts the tests skipped for want of corpus data and, when there were any, prints
/// `N tests skipped: corpora not found (see README, Corpora)` to standard error as the test
/// process exits, after the test runner's own summary.
public enum CorpusSkips {
    /// The line printed at exit for `count` skipped tests.
    public static func summary(count: Int) -> String {
        "\(count) tests skipped: corpora not found (see README, Corpora)"
    }

    /// Notes one skipped test.
    static func record() {
        lock.lock()
        defer { lock.unlock() }
        if count == 0 {
            atexit {
                CorpusSkips.lock.lock()
                let count = CorpusSkips.count
                CorpusSkips.lock.unlock()
                fputs(CorpusSkips.summary(count: count) + "\n", stderr)
            }
        }
        count += 1
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var count = 0
}
