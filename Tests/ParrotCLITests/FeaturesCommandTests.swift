import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// End-to-end runs of the built `parrot` binary.
@Suite struct FeaturesCommandTests {
    let parrot = TestSupport.parrotBinary

    @Test(.requiresCorpus(.fsdd)) func hostileBatchExitsNonZeroNamesEachFailureAndWritesTheRest() throws {
        let (dir, bad) = try HostileCorpus.make()
        let result = try TestSupport.run(parrot, ["features", dir, dir + "/out", "--sample-rate", "8000", "--nj", "2"])
        #expect(result.status == 1)
        let good = HostileCorpus.goodFiles.count
        #expect(result.standardOutput.contains("Done \(good) of \(good + bad.count) utterances"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("; \(bad.count) failed, see \(dir)/out/failed.txt"))
        for (utterance, cause) in bad {
            let line = result.standardError.split(separator: "\n").first { $0.contains("'\(utterance)'") }
            #expect(line?.contains(cause) == true, "stderr should name \(utterance) and '\(cause)':\n\(result.standardError)")
        }
        let failed = try TableFile(path: dir + "/out/failed.txt")
        #expect(Set(failed.keys) == Set(bad.keys))
        #expect(try ScriptFile(path: dir + "/out/feats.scp").keys == HostileCorpus.goodFiles)
        #expect(!result.standardError.contains("Fatal error"), "no crash")
    }

    @Test(.requiresCorpus(.yesno)) func cleanRunExitsZeroAndKaldiioReadsTheOutput() throws {
        let dir = try TestSupport.temporaryDirectory()
        let rec = TestSupport.corpus("yesno/waves_yesno")
        let names = ["0_0_0_0_1_1_1_1", "0_0_0_1_0_0_0_1", "1_0_0_0_0_0_0_1"]
        try TestSupport.write(names.map { "\($0) \(rec)/\($0).wav" }.joined(separator: "\n") + "\n", to: dir + "/wav.scp")
        let result = try TestSupport.run(parrot, ["features", dir, dir + "/out", "--sample-rate", "8000", "--num-mel-bins", "23", "--cmvn", "utterance"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("Done 3 of 3 utterances"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/failed.txt"))
        let ours = try ScriptFile(path: dir + "/out/feats.scp")
        let output = try TestSupport.python("""
        import kaldiio
        for k, m in kaldiio.load_scp('\(dir)/out/feats.scp').items():
            print(k, m.shape[0], m.shape[1], repr(float(m.sum())))
        for k, s in kaldiio.load_scp('\(dir)/out/cmvn.scp').items():
            print('cmvn', k, s.shape[0], s.shape[1], repr(float(s[0, -1])))
        """)
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for line in lines where line[0] != "cmvn" {
            let m = try #require(try ours.read(line[0]).asFloatMatrix)
            #expect(Int(line[1]) == m.rows && Int(line[2]) == 23)
            let sum = m.values.reduce(Float(0), +)
            #expect(abs(Double(sum) - Double(line[3])!) < 1e-2 * max(1, abs(Double(sum))))
        }
        let cmvn = lines.filter { $0[0] == "cmvn" }
        #expect(cmvn.map { $0[1] } == names)
        for c in cmvn {
            let frames = try #require(try ours.read(c[1]).asFloatMatrix).rows
            #expect(c[2] == "2" && c[3] == "24" && Double(c[4]) == Double(frames))
        }
    }

    @Test(.requiresCorpus(.fsdd)) func copyFeatsPrintsKaldiText() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("a \(TestSupport.corpus("fsdd/recordings/3_lucas_7.wav"))\n", to: dir + "/wav.scp")
        #expect(try TestSupport.run(parrot, ["features", dir, dir + "/out"]).status == 0)
        let text = try TestSupport.run(parrot, ["copy-feats", dir + "/out/feats.scp", "-"])
        #expect(text.status == 0)
        try TestSupport.write(text.standardOutput, to: dir + "/t.ark")
        #expect(try KaldiArchiveReader.readAll(path: dir + "/t.ark")[0].object == ScriptFile(path: dir + "/out/feats.scp").read("a"))
    }

    @Test func helpExplainsEveryOption() throws {
        let help = try TestSupport.run(parrot, ["features", "--help"])
        #expect(help.status == 0)
        for option in ["--nj", "--cmvn", "--sample-rate", "--num-mel-bins", "--low-freq", "--high-freq", "--frame-length",
                       "--frame-shift", "--preemphasis-coefficient", "--window-type", "--snip-edges", "--channel", "--pipe-timeout", "e.g.:"] {
            #expect(help.standardOutput.contains(option), "features --help lacks \(option)")
        }
        let root = try TestSupport.run(parrot, ["--help"])
        for command in ["features", "validate", "copy-feats"] { #expect(root.standardOutput.contains(command)) }
    }

    @Test func badOptionsAreRejectedWithAMessage() throws {
        let dir = try TestSupport.temporaryDirectory()
        let zeroJobs = try TestSupport.run(parrot, ["features", dir, dir + "/o", "--nj", "0"])
        #expect(zeroJobs.status == 64)
        #expect(zeroJobs.standardError.contains("--nj must be at least 1"))
        let highFreq = try TestSupport.run(parrot, ["features", dir, dir + "/o", "--sample-rate", "8000", "--high-freq", "6000"])
        #expect(highFreq.status == 64)
        #expect(highFreq.standardError.contains("high frequency"))
        let missing = try TestSupport.run(parrot, ["features", dir + "/nope", dir + "/o"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("\(dir)/nope: not a directory"))
    }

    @Test(.requiresCorpus(.fsdd)) func validateExitsNonZeroOnlyForErrors() throws {
        let (dir, _) = try HostileCorpus.make()
        let bad = try TestSupport.run(parrot, ["validate", dir])
        #expect(bad.status == 1)
        #expect(bad.standardOutput.contains("error: wav.scp: 'bad_nan'"))
        #expect(bad.standardOutput.contains("errors"))
        let clean = try TestSupport.temporaryDirectory()
        try TestSupport.write("a \(TestSupport.corpus("fsdd/recordings/3_lucas_7.wav"))\n", to: clean + "/wav.scp")
        try TestSupport.write("a THREE\n", to: clean + "/text")
        let good = try TestSupport.run(parrot, ["validate", clean])
        #expect(good.status == 0, "\(good.standardOutput)")
    }
}
