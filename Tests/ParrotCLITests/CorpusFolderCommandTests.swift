import Corpus
import Foundation
import ParrotTestSupport
import Testing

/// Corpus folders (MFA's layout) through `parrot validate`, `train`, `align` and `data-dir`, on
/// yesno recordings.
@Suite(.serialized, .requiresCorpus(.yesno)) struct CorpusFolderCommandTests {
    let parrot = TestSupport.parrotBinary
    let lexicon = HostileStageCorpus.lexicon
    /// Recordings that train the model; `session` are joined into one recording.
    let training = HostileStageCorpus.plain
    let session = ["0_1_0_1_0_0_0_0", "1_0_0_0_1_0_0_1", "1_1_0_0_1_1_1_0"]

    func samples(_ name: String) throws -> [Float] {
        try WaveFile.readPCM16(TestSupport.corpus("yesno/waves_yesno/\(name).wav")).samples
    }

    /// Non-empty intervals of a tier as (start, end, label).
    func labelled(_ path: String, tier: String) throws -> [(Double, Double, String)] {
        let grid = try TextGridFile(path: path)
        let found = try #require(grid.tiers.first { $0.name == tier }, "\(path) has no tier \(tier)")
        return found.intervals.filter { !$0.text.isEmpty }.map { ($0.start, $0.end, $0.text) }
    }

    @Test func aRecordingDividedByATextGridAlignsAsItsPiecesCutOutByHand() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder-cli")
        try TestSupport.write(lexicon, to: dir + "/lexicon.txt")
        // A training folder: one speaker folder of recordings beside .lab files.
        for name in training {
            try FileManager.default.createDirectory(atPath: dir + "/train/speaker", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/train/speaker/\(name).wav", withDestinationPath: TestSupport.corpus("yesno/waves_yesno/\(name).wav"))
            try TestSupport.write(HostileStageCorpus.transcript(name).lowercased() + "\n", to: dir + "/train/speaker/\(name).lab")
        }
        let train = try TestSupport.run(parrot, ["train", dir + "/train", dir + "/lexicon.txt", dir + "/model", "--sample-rate", "8000",
                                                 "--rounds", "2", "--local-rounds", "1", "--epochs", "2", "--layers", "1", "--hidden", "16"])
        try #require(train.status == 0, "\(train.standardError)")
        #expect(train.standardOutput.contains("corpus folder \(dir)/train: 8 recordings, 8 utterances of 1 speaker"))
        #expect(try String(contentsOfFile: dir + "/model/data/utt2spk", encoding: .utf8).hasPrefix("speaker-0_0_0_0_1_1_1_1 speaker\n"))

        // One recording: quiet, piece, quiet, piece, quiet, piece, quiet; its TextGrid marks the pieces.
        let rate = 8000, gap = [Float](repeating: 0.0001, count: 2_000)
        var joined = gap, intervals = [(Double, Double, String)](), offsets = [Double]()
        try FileManager.default.createDirectory(atPath: dir + "/pieces/reader", withIntermediateDirectories: true)
        for (k, name) in session.enumerated() {
            let piece = try samples(name)
            let start = Double(joined.count) / Double(rate)
            offsets.append(start)
            if intervals.last?.1 ?? 0 < start { intervals.append((intervals.last?.1 ?? 0, start, "")) }
            joined += piece
            intervals.append((start, Double(joined.count) / Double(rate), HostileStageCorpus.transcript(name)))
            joined += gap
            // The same piece as a recording of its own, as one would cut it out by hand.
            let cut = dir + "/pieces/reader/part-\(k + 1)"
            try WaveFile.write(to: cut + ".wav", samples: piece, sampleRate: rate)
            try TestSupport.write(HostileStageCorpus.transcript(name), to: cut + ".lab")
        }
        let duration = Double(joined.count) / Double(rate)
        intervals.append((intervals.last!.1, duration, ""))
        try FileManager.default.createDirectory(atPath: dir + "/joined/reader", withIntermediateDirectories: true)
        try WaveFile.write(to: dir + "/joined/reader/session.wav", samples: joined, sampleRate: rate)
        var grid = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n\(duration)\n<exists>\n1\n\"IntervalTier\"\n\"utterances\"\n0\n\(duration)\n\(intervals.count)\n"
        for interval in intervals { grid += "\(interval.0)\n\(interval.1)\n\"\(interval.2)\"\n" }
        try TestSupport.write(grid, to: dir + "/joined/reader/session.TextGrid")   // Praat's short text format

        for folder in ["joined", "pieces"] {
            let align = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/lexicon.txt", dir + "/" + folder, dir + "/out-" + folder])
            #expect(align.status == 0, "\(align.standardError)")
            #expect(align.standardOutput.contains("Done 3 of 3 utterances"), "\(align.standardOutput)")
        }
        // One TextGrid for the whole recording, where the recording was, covering all of it.
        let whole = try TextGridFile(path: dir + "/out-joined/reader/session.TextGrid")
        #expect(abs(whole.end - duration) < 1e-9)
        #expect(whole.tiers.map(\.name) == ["words", "phones"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/out-joined/reader/session-0002.TextGrid"))
        // Its words and phones are the pieces' own, each moved by where its piece starts.
        for tier in ["words", "phones"] {
            let joinedTier = try labelled(dir + "/out-joined/reader/session.TextGrid", tier: tier)
            var piecesTier = [(Double, Double, String)]()
            for k in 0..<session.count {
                piecesTier += try labelled(dir + "/out-pieces/reader/part-\(k + 1).TextGrid", tier: tier).map { ($0.0 + offsets[k], $0.1 + offsets[k], $0.2) }
            }
            #expect(joinedTier.map(\.2) == piecesTier.map(\.2), "\(tier) labels")
            #expect(joinedTier.count == piecesTier.count && joinedTier.count >= 24, "\(joinedTier.count) \(tier)")
            for (a, b) in zip(joinedTier, piecesTier) {
                #expect(abs(a.0 - b.0) < 0.0011 && abs(a.1 - b.1) < 0.0011, "\(tier) \(a) against the piece's \(b)")
            }
            // The words lie inside the three intervals.
            if tier == "words" {
                #expect(joinedTier.map(\.2).joined(separator: " ") == session.map(HostileStageCorpus.transcript).joined(separator: " "))
                for word in joinedTier {
                    #expect(intervals.contains { !$0.2.isEmpty && $0.0 - 1e-6 <= word.0 && word.1 <= $0.1 + 0.0011 }, "\(word) outside the marked intervals")
                }
            }
        }
        // A real TextGrid reader opens every one, tiers tiling the recording.
        let check = try TestSupport.python("""
        import glob
        from praatio import textgrid
        files = sorted(glob.glob('\(dir)/out-*/reader/*.TextGrid'))
        for f in files:
            tg = textgrid.openTextgrid(f, includeEmptyIntervals=True)
            for name in tg.tierNames:
                e = tg.getTier(name).entries
                assert e[0].start == 0 and abs(e[-1].end - tg.maxTimestamp) < 1e-9, f
                assert all(a.end == b.start for a, b in zip(e, e[1:])), f
        print(len(files))
        """)
        #expect(check.trimmingCharacters(in: .whitespacesAndNewlines) == "4")

        // decode takes the folder too: one hypothesis per marked interval.
        let decode = try TestSupport.run(parrot, ["decode", dir + "/model", dir + "/joined", dir + "/decoded", "--mode", "lexicon", "--lexicon", dir + "/lexicon.txt"])
        #expect(decode.status == 0, "\(decode.standardError)")
        let hypotheses = try String(contentsOfFile: dir + "/decoded/text", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        #expect(hypotheses == ["reader-session-0002", "reader-session-0004", "reader-session-0006"])

        // parrot data-dir writes the Kaldi directory a folder maps to.
        let dataDir = try TestSupport.run(parrot, ["data-dir", dir + "/joined", dir + "/kaldi"])
        #expect(dataDir.status == 0, "\(dataDir.standardError)")
        let segments = try String(contentsOfFile: dir + "/kaldi/segments", encoding: .utf8)
        #expect(segments.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["reader-session-0002", "reader-session-0004", "reader-session-0006"])
    }

    @Test func aHostileFolderNamesEveryProblemAndStillAlignsTheGoodFiles() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder-cli")
        try TestSupport.write(lexicon, to: dir + "/lexicon.txt")
        let c = dir + "/hostile/Zoë Ärger"
        try FileManager.default.createDirectory(atPath: c, withIntermediateDirectories: true)
        func link(_ name: String, as file: String) throws {
            try FileManager.default.createSymbolicLink(atPath: c + "/" + file, withDestinationPath: TestSupport.corpus("yesno/waves_yesno/\(name).wav"))
        }
        try link(training[0], as: "good one.wav")
        try TestSupport.write(HostileStageCorpus.transcript(training[0]), to: c + "/good one.lab")
        // Any format libsndfile reads: this one as FLAC.
        let flac = try TestSupport.run("/usr/bin/sox", [TestSupport.corpus("yesno/waves_yesno/\(training[1]).wav"), c + "/día dos.flac"])
        try #require(flac.status == 0, "\(flac.standardError)")
        try TestSupport.write(HostileStageCorpus.transcript(training[1]), to: c + "/día dos.lab")
        try link(training[2], as: "untranscribed.wav")
        try TestSupport.write("YES NO", to: c + "/no audio.lab")
        try link(training[3], as: "empty.wav")
        try TestSupport.write("\n", to: c + "/empty.lab")
        try link(training[4], as: "overlapping.wav")
        try TestSupport.write("File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n6\n<exists>\n1\n\"IntervalTier\"\n\"u\"\n0\n6\n2\n0\n4\n\"\(HostileStageCorpus.transcript(training[4]))\"\n3\n6\n\"NO\"\n",
                              to: c + "/overlapping.TextGrid")

        let validate = try TestSupport.run(parrot, ["validate", dir + "/hostile", "--sample-rate", "8000"])
        #expect(validate.status == 1)
        let errors = validate.standardOutput.split(separator: "\n").filter { $0.hasPrefix("error:") }.map(String.init)
        #expect(errors.count == 4, "\(validate.standardOutput)")
        for phrase in ["Zoë Ärger/untranscribed.wav: a recording without a transcript", "Zoë Ärger/no audio.lab: a transcript without a recording",
                       "Zoë Ärger/empty.lab: 'Zoë_Ärger-empty' is empty", "Zoë Ärger/overlapping.TextGrid:16: 'Zoë_Ärger-overlapping' interval 2 (3–6 s)"] {
            #expect(errors.contains { $0.contains(phrase) }, "no message with \(phrase): \(errors)")
        }
        // Train and align anyway: the good files (with the overlapping TextGrid's first interval) are aligned.
        let train = try TestSupport.run(parrot, ["train", dir + "/hostile", dir + "/lexicon.txt", dir + "/model", "--sample-rate", "8000",
                                                 "--rounds", "1", "--local-rounds", "0", "--epochs", "1", "--layers", "1", "--hidden", "8"])
        #expect(train.status == 1, "the folder's problems make the exit status 1")
        #expect(train.standardOutput.contains("Done: trained on 3 of 3 utterances; 4 problems in the corpus folder"), "\(train.standardOutput)")
        let align = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/lexicon.txt", dir + "/hostile", dir + "/out", "--speaker-tiers"])
        #expect(align.status == 1)
        #expect(align.standardOutput.contains("Done 3 of 3 utterances"), "\(align.standardOutput)")
        #expect(align.standardError.split(separator: "\n").filter { $0.contains("error:") }.count == 4, "\(align.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir + "/out/Zoë Ärger").sorted()
        #expect(written == ["día dos.TextGrid", "good one.TextGrid", "overlapping.TextGrid"])
        let grid = try TextGridFile(path: dir + "/out/Zoë Ärger/good one.TextGrid")
        #expect(grid.tiers.map(\.name) == ["Zoë Ärger - words", "Zoë Ärger - phones"])
        let problems = try String(contentsOfFile: dir + "/out/data/problems.txt", encoding: .utf8)
        #expect(problems.split(separator: "\n").count == 4)
    }
}
