import Foundation
import ParrotTestSupport
import Testing

/// Tests that need a corpus are skipped where none is found, with one line for the whole run,
/// and fail under `PARROT_REQUIRE_CORPORA=1`: checked by running this test process's own binary
/// on one suite whose two tests read FSDD and yesno.
@Suite struct CorpusTraitTests {
    /// Runs the tests matching `filter` in a new process of this test binary.
    static func runTests(_ filter: String, environment changes: [String: String?]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        let binary = CommandLine.arguments[0]
        let result = try TestSupport.run(binary, ["--testing-library", "swift-testing", "--filter", filter], environment: environment)
        return (result.status, result.standardOutput + result.standardError)
    }

    @Test func missingCorporaSkipTheirTestsWithOneLineForTheRun() throws {
        let missing = try TestSupport.temporaryDirectory("parrot-no-corpora") + "/none"
        let run = try Self.runTests("DataDirectoryValidatorTests", environment: ["PARROT_CORPORA": missing, "PARROT_REQUIRE_CORPORA": nil])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").filter { $0.contains("tests skipped") }
        #expect(lines == [Substring(CorpusSkips.summary(count: 2))], "\(run.output)")
        #expect(CorpusSkips.summary(count: 2) == "2 tests skipped: corpora not found (see README, Corpora)")
        #expect(run.output.contains("corpora not found: \(missing)/fsdd/recordings"))
    }

    @Test func requiredCorporaThatAreMissingFailTheRunNamingTheFolder() throws {
        let missing = try TestSupport.temporaryDirectory("parrot-no-corpora") + "/none"
        let run = try Self.runTests("DataDirectoryValidatorTests", environment: ["PARROT_CORPORA": missing, "PARROT_REQUIRE_CORPORA": "1"])
        #expect(run.status != 0)
        #expect(run.output.contains("\(missing)/fsdd/recordings is not a folder (corpora from PARROT_CORPORA=\(missing)), and PARROT_REQUIRE_CORPORA=1"), "\(run.output)")
        #expect(run.output.contains("\(missing)/yesno/waves_yesno is not a folder"))
        #expect(!run.output.contains("tests skipped"))
    }

    @Test func aTestRunsWhenEveryFolderItNeedsIsThere() {
        let there = ["/a/fsdd/recordings", "/a/yesno/waves_yesno"]
        let exists = { (path: String) in there.contains(path) }
        let search = "corpora looked for in /a"
        #expect(CorpusTrait.decide(folders: there, exists: exists, required: false, search: search) == .run)
        #expect(CorpusTrait.decide(folders: there, exists: exists, required: true, search: search) == .run)
        let needsGolden = there + ["/a/golden"]
        #expect(CorpusTrait.decide(folders: needsGolden, exists: exists, required: false, search: search) == .skip(missing: "/a/golden"))
        guard case let .fail(message) = CorpusTrait.decide(folders: needsGolden, exists: exists, required: true, search: search) else {
            Issue.record("a required folder that is missing must fail the test")
            return
        }
        #expect(message.contains("/a/golden is not a folder (corpora looked for in /a)"))
    }
}
