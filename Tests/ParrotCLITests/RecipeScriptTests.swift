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
}
