import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct CorpusFolderTests {
    /// A second of a quiet tone at `rate`.
    func writeAudio(_ path: String, seconds: Double = 1, rate: Int = 8000) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try WaveFile.write(to: path, samples: WaveFile.tone(frequency: 440, seconds: seconds, sampleRate: rate, amplitude: 0.1), sampleRate: rate)
    }

    /// A TextGrid (long text format) with one interval tier named `tier`.
    func textGrid(_ intervals: [(Double, Double, String)], tier: String = "utterances", end: Double) -> String {
        var text = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = \(end)\ntiers? <exists>\nsize = 1\nitem []:\n"
        text += "    item [1]:\n        class = \"IntervalTier\"\n        name = \"\(tier)\"\n        xmin = 0\n        xmax = \(end)\n"
        text += "        intervals: size = \(intervals.count)\n"
        for (i, interval) in intervals.enumerated() {
            text += "        intervals [\(i + 1)]:\n            xmin = \(interval.0)\n            xmax = \(interval.1)\n            text = \"\(interval.2)\"\n"
        }
        return text
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func speakerFoldersLabsAndTextGridIntervalsBecomeKaldiTables() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder")
        let corpus = dir + "/corpus"
        try writeAudio(corpus + "/anna/a1.wav")
        try TestSupport.write("hello\n  world \n", to: corpus + "/anna/a1.lab")
        try writeAudio(corpus + "/anna/a2.wav")
        try TestSupport.write("good day", to: corpus + "/anna/a2.txt")
        try writeAudio(corpus + "/ben/long one.wav", seconds: 3)
        try TestSupport.write(textGrid([(0, 0.5, ""), (0.5, 1.25, "one two"), (1.25, 2, ""), (2, 2.875, "three")], end: 3), to: corpus + "/ben/long one.TextGrid")
        try writeAudio(corpus + "/top.wav")
        try TestSupport.write("at the top", to: corpus + "/top.lab")

        let folder = try CorpusFolder(path: corpus)
        #expect(folder.problems.isEmpty, "\(folder.problems)")
        #expect(folder.recordings.map(\.id) == ["anna-a1", "anna-a2", "ben-long_one", "corpus-top"])
        #expect(folder.recordings.map(\.relativeName) == ["anna/a1", "anna/a2", "ben/long one", "top"])
        #expect(folder.recordings[2].durationSeconds == 3)
        try folder.writeDataDirectory(to: dir + "/data")
        #expect(try read(dir + "/data/wav.scp") == """
            anna-a1 \(corpus)/anna/a1.wav
            anna-a2 \(corpus)/anna/a2.wav
            ben-long_one \(corpus)/ben/long one.wav
            corpus-top \(corpus)/top.wav

            """)
        #expect(try read(dir + "/data/text") == "anna-a1 hello world\nanna-a2 good day\nben-long_one-0002 one two\nben-long_one-0004 three\ncorpus-top at the top\n")
        #expect(try read(dir + "/data/segments") == "anna-a1 anna-a1 0 -1\nanna-a2 anna-a2 0 -1\nben-long_one-0002 ben-long_one 0.5 1.25\nben-long_one-0004 ben-long_one 2 2.875\ncorpus-top corpus-top 0 -1\n")
        #expect(try read(dir + "/data/utt2spk") == "anna-a1 anna\nanna-a2 anna\nben-long_one-0002 ben\nben-long_one-0004 ben\ncorpus-top corpus\n")
        #expect(try read(dir + "/data/spk2utt") == "anna anna-a1 anna-a2\nben ben-long_one-0002 ben-long_one-0004\ncorpus corpus-top\n")
        // The data directory reads back with the same utterances and segments.
        let data = try DataDirectory(path: dir + "/data")
        #expect(data.problems.isEmpty)
        #expect(data.utterance("ben-long_one-0004")?.segment == Segment(recording: "ben-long_one", startSeconds: 2, endSeconds: 2.875))
    }

    @Test func speakerCharactersAndANamedTierChooseSpeakersAndUtterances() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder")
        try writeAudio(dir + "/c/s01_x.wav", seconds: 2)
        try writeAudio(dir + "/c/s02_y.wav")
        try TestSupport.write("why", to: dir + "/c/s02_y.lab")
        let grid = textGrid([(0, 1, "ignored tier")], tier: "notes", end: 2)
            .replacingOccurrences(of: "size = 1\nitem []:\n", with: "size = 2\nitem []:\n")
            + textGrid([(0, 0.5, "x marks"), (0.5, 2, "")], tier: "words", end: 2).components(separatedBy: "item []:\n")[1]
                .replacingOccurrences(of: "item [1]:", with: "item [2]:")
        try TestSupport.write(grid, to: dir + "/c/s01_x.TextGrid")
        let folder = try CorpusFolder(path: dir + "/c", options: .init(speakerCharacters: 3, tier: "words"))
        #expect(folder.problems.isEmpty, "\(folder.problems)")
        #expect(folder.recordings.map(\.speaker) == ["s01", "s02"])
        #expect(folder.utterances.map(\.utterance.id) == ["s01-s01_x-0001", "s02-s02_y"])
        #expect(folder.utterances.map(\.utterance.transcript) == ["x marks", "why"])
        // Without a tier name, the first interval tier is used.
        let first = try CorpusFolder(path: dir + "/c")
        #expect(first.utterances.map(\.utterance.transcript) == ["ignored tier", "why"])
        let missing = try CorpusFolder(path: dir + "/c", options: .init(tier: "phones"))
        #expect(missing.problems.map(\.description) == ["error: s01_x.TextGrid: 'c-s01_x' has no interval tier named 'phones' (its tiers: 'notes', 'words'); left out"])
    }

    @Test func aHostileFolderGivesOneMessagePerProblemAndKeepsTheGoodFiles() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder")
        let c = dir + "/hostile"
        try writeAudio(c + "/spk/good.wav")
        try TestSupport.write("fine words", to: c + "/spk/good.lab")
        try writeAudio(c + "/spk/Zoë und Jürgen.wav")                     // spaces and non-ASCII letters: fine
        try TestSupport.write("grüß gott", to: c + "/spk/Zoë und Jürgen.lab")
        try writeAudio(c + "/spk/no transcript.wav")
        try TestSupport.write("no audio here", to: c + "/spk/orphan.lab")
        try writeAudio(c + "/spk/empty.wav")
        try TestSupport.write(" \n\n", to: c + "/spk/empty.lab")
        try writeAudio(c + "/spk/overlap.wav", seconds: 3)
        try TestSupport.write(textGrid([(0, 1.5, "first part"), (1, 2, "second part"), (2, 2.5, "third part"), (2.5, 3.5, "too late")], end: 3.5),
                              to: c + "/spk/overlap.TextGrid")
        try writeAudio(c + "/spk/fake.wav")
        try TestSupport.write("this is not a TextGrid", to: c + "/spk/fake.TextGrid")
        try writeAudio(c + "/spk/twice.wav")
        try writeAudio(c + "/spk/twice.wave")
        try TestSupport.write("twice", to: c + "/spk/twice.lab")
        try writeAudio(c + "/spk/a b.wav")
        try writeAudio(c + "/spk/a_b.wav")
        try TestSupport.write("a b", to: c + "/spk/a b.lab")
        try TestSupport.write("a b", to: c + "/spk/a_b.lab")
        try writeAudio(c + "/spk/fast.wav", rate: 16000)
        try TestSupport.write("sixteen", to: c + "/spk/fast.lab")

        let folder = try CorpusFolder(path: c)
        let messages = folder.problems.map(\.description)
        #expect(messages.sorted() == [
            "error: spk/a_b.wav: 'spk-a_b' maps to the same utterance ID as spk/a b.wav; left out",
            "error: spk/empty.lab: 'spk-empty' is empty: no words to align",
            "error: spk/fake.TextGrid: 'spk-fake' not a Praat TextGrid: it does not start with File type = \"ooTextFile\"; left out",
            "error: spk/no transcript.wav: a recording without a transcript (no .lab, .txt or .TextGrid of the same name); left out",
            "error: spk/orphan.lab: a transcript without a recording (no audio file named orphan beside it)",
            "error: spk/overlap.TextGrid:20: 'spk-overlap' interval 2 (1–2 s) of tier 'utterances' overlaps interval 1 (0–1.5 s); left out",
            "error: spk/overlap.TextGrid:28: 'spk-overlap' interval 4 (2.5–3.5 s) of tier 'utterances' ends after the recording (3 s); left out",
            "error: spk/twice.wave: has the same name as spk/twice.wav (one recording per name); left out",
            "warning: .: recordings have different sample rates (5 at 8000 Hz, 1 at 16000 Hz); features resample them all to one rate",
        ].sorted(), "\(messages)")
        #expect(folder.utterances.map(\.utterance.id) == ["spk-Zoë_und_Jürgen", "spk-a_b", "spk-fast", "spk-good", "spk-overlap-0001", "spk-overlap-0003", "spk-twice"])
    }

    @Test func linkedFoldersAreFollowedAndOddFilesNamed() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder")
        try writeAudio(dir + "/elsewhere/cleo/c1.wav")
        try TestSupport.write("see one", to: dir + "/elsewhere/cleo/c1.lab")
        try writeAudio(dir + "/real/dan/d1.wav", seconds: 2)
        try TestSupport.write(textGrid([(0, 1, "dee one")], end: 2), to: dir + "/real/dan/d1.TextGrid")
        try writeAudio(dir + "/real/dan/d1-0001.wav")                               // the interval's utterance ID
        try TestSupport.write("clash", to: dir + "/real/dan/d1-0001.lab")
        try TestSupport.write("notes about the corpus", to: dir + "/real/README.txt")
        try Data(WaveFile.bytes(samples: [], sampleRate: 8000)).write(to: URL(fileURLWithPath: dir + "/real/dan/silent.wav"))
        try TestSupport.write("nothing", to: dir + "/real/dan/silent.lab")
        try FileManager.default.createSymbolicLink(atPath: dir + "/real/cleo", withDestinationPath: dir + "/elsewhere/cleo")
        try FileManager.default.createSymbolicLink(atPath: dir + "/real/dan/loop", withDestinationPath: dir + "/real")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
        let folder = try CorpusFolder(path: dir + "/link")
        #expect(folder.utterances.map(\.utterance.id) == ["cleo-c1", "dan-d1-0001"])
        #expect(folder.problems.map(\.description).sorted() == [
            "error: dan/d1-0001.wav: 'dan-d1-0001' maps to the same utterance ID as dan/d1.TextGrid; left out",
            "error: dan/silent.wav: 'dan-silent' has no audio samples; left out",
            "warning: README.txt: a transcript without a recording (no audio file named README beside it)",
        ], "\(folder.problems)")
    }

    @Test func aKaldiDataDirectoryIsNotACorpusFolder() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-folder")
        try TestSupport.write("u u.wav\n", to: dir + "/wav.scp")
        #expect(!CorpusFolder.isCorpusFolder(dir))
        #expect(!CorpusFolder.isCorpusFolder(dir + "/wav.scp"))
        let empty = try TestSupport.temporaryDirectory("parrot-folder")
        #expect(CorpusFolder.isCorpusFolder(empty))
        #expect(throws: CorpusError.emptyCorpusFolder(path: empty)) { try CorpusFolder(path: empty) }
    }
}
