import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct DataDirectoryTests {
    @Test func resolvesUtterancesThroughSegmentsAndWavScp() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("rec1 /a/rec1.wav\nrec2 sox x.mp3 -t wav - |\n", to: dir + "/wav.scp")
        try TestSupport.write("u1 rec1 0.5 1.25\nu2 rec1 1.25 -1\nu3 rec2 0 2\n", to: dir + "/segments")
        try TestSupport.write("u1 HELLO\nu2 WORLD\nu3 AGAIN\n", to: dir + "/text")
        try TestSupport.write("u1 s1\nu2 s1\nu3 s2\n", to: dir + "/utt2spk")
        let data = try DataDirectory(path: dir)
        #expect(data.utteranceIDs == ["u1", "u2", "u3"])
        let u1 = try #require(data.utterance("u1"))
        #expect(u1.source == .file(path: "/a/rec1.wav"))
        #expect(u1.segment == Segment(recording: "rec1", startSeconds: 0.5, endSeconds: 1.25))
        #expect(u1.speaker == "s1")
        #expect(data.utterance("u3")?.source == .command("sox x.mp3 -t wav -"))
        #expect(data.problems.filter { $0.severity == .error }.isEmpty)
    }

    @Test func duplicateKeysRejectOnlyThatUtteranceAndSayWhere() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("a a.wav\nb b.wav\na other.wav\nc c.wav\n", to: dir + "/wav.scp")
        let data = try DataDirectory(path: dir)
        #expect(data.utteranceIDs == ["b", "c"])
        let reason = try #require(data.rejectedUtterances["a"])
        #expect(reason.contains("wav.scp:3"))
        #expect(reason.contains("first on line 1"))
    }

    @Test func malformedSegmentsAreReportedPerLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("r r.wav\n", to: dir + "/wav.scp")
        try TestSupport.write("ok r 0 1\nbackwards r 2 1\nmissing nowhere 0 1\ngarbled r zero one\n", to: dir + "/segments")
        let data = try DataDirectory(path: dir)
        #expect(data.utteranceIDs == ["ok"])
        #expect(Set(data.rejectedUtterances.keys) == ["backwards", "missing", "garbled"])
        #expect(data.problems.filter { $0.severity == .error }.compactMap(\.line).sorted() == [2, 3, 4])
    }

    @Test func missingDirectoryAndMissingTablesAreClearErrors() throws {
        #expect(throws: CorpusError.notADirectory(path: "/no/such/dir")) { _ = try DataDirectory(path: "/no/such/dir") }
        let dir = try TestSupport.temporaryDirectory()
        #expect(throws: CorpusError.self) { _ = try DataDirectory(path: dir) }
    }

    @Test func transcriptsWithoutAudioAreListed() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("a a.wav\n", to: dir + "/wav.scp")
        try TestSupport.write("a YES\nb NO\n", to: dir + "/text")
        #expect(try DataDirectory(path: dir).utterancesWithoutAudio == ["b"])
    }
}
