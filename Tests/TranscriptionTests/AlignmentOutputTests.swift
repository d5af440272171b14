import Foundation
import ParrotTestSupport
import Testing
import Transcription

@Suite struct AlignmentOutputTests {
    static let lexicon = Lexicon(entries: [("YES", ["Y", "EH", "S"]), ("NO", ["N", "OW"]), ("NO", ["N", "AH"])])

    @Test func outOfVocabularyWordsAreSkippedOrSpokenNoiseNeverDropped() throws {
        let skip = TranscriptCompiler(lexicon: Self.lexicon, phoneSet: Self.lexicon.phoneSet, oovMode: .skip)
        #expect(throws: AlignError.outOfVocabulary(utterance: "u", words: ["MAYBE"])) { _ = try skip.compile(utterance: "u", transcript: "yes maybe no") }
        let spn = TranscriptCompiler(lexicon: Self.lexicon, phoneSet: Self.lexicon.phoneSet, oovMode: .spn)
        let compiled = try spn.compile(utterance: "u", transcript: "Yes, maybe NO!")
        #expect(compiled.words == ["YES", "MAYBE", "NO"])
        #expect(compiled.outOfVocabulary == ["MAYBE"])
        #expect(compiled.pronunciations[1] == [[1]])   // SPN is class 1
        #expect(compiled.pronunciations[2].count == 2)
        #expect(throws: AlignError.emptyTranscript(utterance: "e")) { _ = try spn.compile(utterance: "e", transcript: " ... ") }
    }

    @Test func flatStartSpreadsSilenceAndPhonesUniformly() throws {
        let compiler = TranscriptCompiler(lexicon: Self.lexicon, phoneSet: Self.lexicon.phoneSet)
        let compiled = try compiler.compile(utterance: "u", transcript: "NO YES")
        // SIL N OW Y EH S SIL: 7 units over 14 frames, 2 each.
        let phones = Self.lexicon.phoneSet
        let flat = try compiler.flatStart(compiled, frames: 14, utterance: "u").map { phones[Int($0)] }
        #expect(flat == ["SIL", "SIL", "N", "N", "OW", "OW", "Y", "Y", "EH", "EH", "S", "S", "SIL", "SIL"])
        #expect(throws: AlignError.transcriptTooLong(utterance: "u", frames: 5, minimumFrames: 7)) { _ = try compiler.flatStart(compiled, frames: 5, utterance: "u") }
    }

    static let alignment = UtteranceAlignment(
        utterance: "utt1", frameClasses: [],
        phones: [AlignedSegment(label: "SIL", start: 0, end: 12), AlignedSegment(label: "Y", start: 12, end: 20),
                 AlignedSegment(label: "EH", start: 20, end: 35), AlignedSegment(label: "S", start: 35, end: 50),
                 AlignedSegment(label: "SIL", start: 50, end: 61), AlignedSegment(label: "N", start: 61, end: 70),
                 AlignedSegment(label: "OW", start: 70, end: 90)],
        words: [AlignedSegment(label: "YES", start: 12, end: 50), AlignedSegment(label: "NO", start: 61, end: 90)], score: 0)

    /// Read back with praatio (a real TextGrid reader, installed by ./setup.sh).
    @Test func textGridIsReadByPraatioWithWordsThenPhonesAndEmptySilences() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write(AlignmentWriter().textGrid(Self.alignment, duration: 0.95), to: dir + "/u.TextGrid")
        let output = try TestSupport.python("""
        import json
        from praatio import textgrid
        tg = textgrid.openTextgrid('\(dir)/u.TextGrid', includeEmptyIntervals=True)
        print(json.dumps({'names': tg.tierNames, 'min': tg.minTimestamp, 'max': tg.maxTimestamp,
            'tiers': {n: [[e.start, e.end, e.label] for e in tg.getTier(n).entries] for n in tg.tierNames}}))
        """)
        let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        #expect(parsed["names"] as? [String] == ["words", "phones"])
        #expect(parsed["min"] as? Double == 0)
        #expect(parsed["max"] as? Double == 0.95)
        let tiers = parsed["tiers"] as! [String: [[Any]]]
        let words = tiers["words"]!.map { "\(String(format: "%.2f", $0[0] as! Double)) \(String(format: "%.2f", $0[1] as! Double)) \($0[2])" }
        #expect(words == ["0.00 0.12 ", "0.12 0.50 YES", "0.50 0.61 ", "0.61 0.90 NO", "0.90 0.95 "])
        let phones = tiers["phones"]!.map { $0[2] as! String }
        #expect(phones == ["", "Y", "EH", "S", "", "N", "OW", ""])
    }

    /// The TextGrid of one utterance, byte for byte (long text format, as Praat writes it).
    @Test func aSingleUtterancesTextGridIsPinnedByteForByte() {
        func tier(_ n: Int, _ name: String, _ intervals: [(String, String, String)]) -> String {
            var text = "    item [\(n)]:\n        class = \"IntervalTier\"\n        name = \"\(name)\"\n        xmin = 0\n        xmax = 0.95\n        intervals: size = \(intervals.count)\n"
            for (i, interval) in intervals.enumerated() {
                text += "        intervals [\(i + 1)]:\n            xmin = \(interval.0)\n            xmax = \(interval.1)\n            text = \"\(interval.2)\"\n"
            }
            return text
        }
        let expected = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = 0.95\ntiers? <exists>\nsize = 2\nitem []:\n"
            + tier(1, "words", [("0", "0.12", ""), ("0.12", "0.5", "YES"), ("0.5", "0.61", ""), ("0.61", "0.9", "NO"), ("0.9", "0.95", "")])
            + tier(2, "phones", [("0", "0.12", ""), ("0.12", "0.2", "Y"), ("0.2", "0.35", "EH"), ("0.35", "0.5", "S"), ("0.5", "0.61", ""),
                                 ("0.61", "0.7", "N"), ("0.7", "0.9", "OW"), ("0.9", "0.95", "")])
        #expect(AlignmentWriter().textGrid(Self.alignment, duration: 0.95) == expected)
    }

    /// A recording's TextGrid with two utterances at 1 s and 3 s: each one's words at its offset,
    /// the rest of the recording empty, tiers named as asked.
    @Test func aRecordingsTextGridPlacesEachUtteranceAtItsOffset() {
        let text = AlignmentWriter().textGrid([(offset: 3, alignment: Self.alignment), (offset: 1, alignment: Self.alignment)], duration: 4.5,
                                              tierNames: (words: "ann - words", phones: "ann - phones"))
        #expect(text.contains("xmax = 4.5\ntiers? <exists>"))
        #expect(text.contains("name = \"ann - words\"\n        xmin = 0\n        xmax = 4.5\n        intervals: size = 9\n"))
        for (start, end, label) in [("0", "1.12", ""), ("1.12", "1.5", "YES"), ("1.61", "1.9", "NO"), ("1.9", "3.12", ""), ("3.12", "3.5", "YES"), ("3.9", "4.5", "")] {
            #expect(text.contains("xmin = \(start)\n            xmax = \(end)\n            text = \"\(label)\"\n"), "\(start)–\(end) \(label)")
        }
        #expect(text.contains("name = \"ann - phones\""))
    }

    @Test func ctmAndCSVUseSecondsAtTheFrameShift() {
        let writer = AlignmentWriter(frameShift: 0.01)
        #expect(writer.ctm("utt1", Self.alignment.words) == "utt1 1 0.120 0.380 YES\nutt1 1 0.610 0.290 NO\n")
        #expect(writer.csv(Self.alignment).hasPrefix("utt1,words,0.120,0.500,YES\n"))
    }

    /// Hand-worked: reference boundaries at 0.10, 0.20, 0.32; hypothesis at 0.11, 0.26, 0.32 and
    /// an extra SIL. Errors 10, 60 and 0 ms.
}

@Suite struct FlatStartPauseTests {
    static let lexicon = Lexicon(entries: [(word: "YES", phones: ["Y", "EH", "S"]), (word: "NO", phones: ["N", "OW"])])

    /// Words shared out among speech stretches: a pause between them becomes silence, a click
    /// far from the words is left as silence, and each word's phones spread over its stretch.
    @Test func pausesBetweenWordsBecomeSilence() throws {
        let compiler = TranscriptCompiler(lexicon: Self.lexicon, phoneSet: Self.lexicon.phoneSet)
        let compiled = try compiler.compile(utterance: "u", transcript: "YES NO")
        let positions = try compiler.flatStartPositions(compiled, frames: 100, utterance: "u", speech: [2..<6, 30..<60, 70..<90])
        #expect(positions[0..<30].allSatisfy { $0 == nil }, "the click at 2..<6 stays silence")
        #expect(positions[30..<60] == ArraySlice((0..<30).map { Optional($0 * 3 / 30) }), "YES's three phones over its stretch")
        #expect(positions[60..<70].allSatisfy { $0 == nil }, "the pause between the words")
        #expect(positions[70..<90] == ArraySlice((0..<20).map { Optional(3 + $0 * 2 / 20) }))
        #expect(positions[90...].allSatisfy { $0 == nil })
        // A gap inside a word (two stretches for one word) is absorbed into it.
        let one = try compiler.compile(utterance: "v", transcript: "YES")
        let absorbed = try compiler.flatStartPositions(one, frames: 60, utterance: "v", speech: [10..<25, 28..<45])
        #expect(absorbed[10..<45].allSatisfy { $0 != nil })
    }
}
