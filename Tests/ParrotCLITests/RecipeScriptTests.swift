import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// The shared recipe scripts: the local job launcher (Kaldi's run.pl call form) and data splitting.
@Suite struct RecipeScriptTests {
    static let common = TestSupport.packageRoot.appendingPathComponent("recipes/common").path

    @Test func localLauncherRunsEveryJobLogsItAndNamesTheFailures() throws {
        let dir = try TestSupport.temporaryDirectory()
        let result = try TestSupport.run(Self.common + "/local.sh", ["--max-jobs-run", "2", "JOB=1:4", dir + "/log/step.JOB.log",
                                                                      "bash", "-c", "echo output of JOB; [ JOB != 3 ]"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("1 of 4 jobs failed: \(dir)/log/step.3.log (exit 1)"))
        for job in 1...4 {
            let log = try String(contentsOfFile: "\(dir)/log/step.\(job).log", encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(log.first?.hasPrefix("# bash -c echo\\ output\\ of\\ \(job)") == true, "\(log)")
            #expect(log[1].hasPrefix("# Started at "))
            #expect(log.contains("output of \(job)"))
            #expect(log.last?.hasPrefix("# Ended (code \(job == 3 ? 1 : 0)) at ") == true)
        }
        let single = try TestSupport.run(Self.common + "/local.sh", [dir + "/one.log", "true"])
        #expect(single.status == 0)
        let badLog = try TestSupport.run(Self.common + "/local.sh", ["JOB=1:2", dir + "/same.log", "true"])
        #expect(badLog.status == 2 && badLog.standardError.contains("must contain JOB"))
    }

    @Test func splitKeepsSpeakersTogetherAndNeverFailsForWantOfSpeakers() throws {
        let dir = try TestSupport.temporaryDirectory()
        // 5 speakers with 1, 2, 3, 4 and 5 utterances.
        var utt2spk = [(String, String)]()
        for s in 1...5 { for u in 1...s { utt2spk.append(("s\(s)_u\(u)", "s\(s)")) } }
        try TestSupport.write(utt2spk.map { "\($0.0) \($0.1)\n" }.sorted().joined(), to: dir + "/utt2spk")
        try TestSupport.write(utt2spk.map { "\($0.0) /audio/\($0.0).wav\n" }.sorted().joined(), to: dir + "/wav.scp")
        try TestSupport.write(utt2spk.map { "\($0.0) WORDS OF \($0.0)\n" }.sorted().joined(), to: dir + "/text")
        let bySpeaker = try TestSupport.run(Self.common + "/split_data.sh", [dir, "3"])
        #expect(bySpeaker.status == 0, "\(bySpeaker.standardError)")
        var seen = [String: Int]()
        var sizes = [Int]()
        for part in 1...3 {
            let table = try TableFile(path: "\(dir)/split3/\(part)/utt2spk").dictionary
            sizes.append(table.count)
            for (utt, spk) in table {
                #expect(seen[utt] == nil)
                seen[utt] = part
                #expect(utt.hasPrefix(spk + "_"))
            }
            #expect(try TableFile(path: "\(dir)/split3/\(part)/text").keys.sorted() == table.keys.sorted())
            #expect(try TableFile(path: "\(dir)/split3/\(part)/wav.scp").keys.sorted() == table.keys.sorted())
        }
        #expect(seen.count == 15)
        for s in 1...5 { #expect(Set((1...s).map { seen["s\(s)_u\($0)"]! }).count == 1, "speaker s\(s) split across parts") }
        #expect(sizes.sorted() == [5, 5, 5], "greedy balance of 5+4+3+2+1 over three parts")
        // More parts than speakers: by utterance instead, every part non-empty.
        let many = try TestSupport.run(Self.common + "/split_data.sh", [dir, "7"])
        #expect(many.status == 0)
        #expect(many.standardError.contains("5 speakers for 7 parts: splitting by utterance instead"))
        let counts = try (1...7).map { try TableFile(path: "\(dir)/split7utt/\($0)/utt2spk").lines.count }
        #expect(counts.reduce(0, +) == 15 && counts.allSatisfy { $0 >= 2 })
    }

    /// Features in 3 launcher jobs, combined, equal one `parrot features` run: the same matrices
    /// and, for a speaker split across parts, CMVN statistics summed over all of them.
    @Test(.requiresCorpus(.yesno)) func makeFeaturesInJobsEqualsOneRun() throws {
        let dir = try TestSupport.temporaryDirectory()
        let waves = TestSupport.corpus("yesno/waves_yesno")
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let names = ["0_0_0_0_1_1_1_1", "0_0_0_1_0_0_0_1", "0_0_1_0_0_0_1_0", "0_0_1_0_1_0_0_0", "1_0_0_0_0_0_0_0"]
        try TestSupport.write(names.map { "\($0) \(waves)/\($0).wav\n" }.joined(), to: dir + "/data/wav.scp")
        try TestSupport.write(names.map { "\($0) global\n" }.joined(), to: dir + "/data/utt2spk")
        try TestSupport.write(names.map { "\($0) YES NO\n" }.joined(), to: dir + "/data/text")
        var environment = ProcessInfo.processInfo.environment
        environment["PARROT"] = TestSupport.parrotBinary
        let jobs = try TestSupport.run(Self.common + "/make_features.sh", ["--nj", "3", dir + "/data", dir + "/jobs", "--sample-rate", "8000"], environment: environment)
        #expect(jobs.status == 0, "\(jobs.standardError)")
        for job in 1...3 { #expect(FileManager.default.fileExists(atPath: "\(dir)/jobs/log/features.\(job).log")) }
        let one = try TestSupport.run(TestSupport.parrotBinary, ["features", dir + "/data", dir + "/one", "--sample-rate", "8000"])
        #expect(one.status == 0, "\(one.standardError)")
        let a = try ScriptFile(path: dir + "/jobs/feats.scp"), b = try ScriptFile(path: dir + "/one/feats.scp")
        #expect(a.keys == names && b.keys == names)
        for name in names {
            #expect(try a.read(name) == b.read(name), "features of \(name) differ")
        }
        let cmvnA = try ScriptFile(path: dir + "/jobs/cmvn.scp"), cmvnB = try ScriptFile(path: dir + "/one/cmvn.scp")
        #expect(cmvnA.keys == ["global"] && cmvnB.keys == ["global"])
        guard case let .doubleMatrix(x) = try cmvnA.read("global"), case let .doubleMatrix(y) = try cmvnB.read("global") else {
            throw TestFailure("CMVN statistics are not double matrices")
        }
        #expect(x.rows == 2 && x.columns == y.columns)
        #expect(zip(x.values, y.values).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) })
        #expect(try TableFile(path: dir + "/jobs/text").keys == names)
        #expect(try TableFile(path: dir + "/jobs/spk2utt").dictionary["global"] == names.joined(separator: " "))
    }
}
