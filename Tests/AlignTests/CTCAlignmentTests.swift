import Acoustic
import Align
import Core
import Foundation
import Testing
import Transcription

/// Phone segments from a CTC model's alignment (`ForcedAligner.ctcAlign`), worked by hand.
@Suite struct CTCAlignmentTests {
    // Classes: SIL, A, B, C, and the blank last.
    let labels = ["SIL", "A", "B", "C", CTC.blankLabel]

    func aligner(minimumPause: Int) -> ForcedAligner {
        var model = scoreModel(labels: labels)
        model.criterion = .ctc
        let lexicon = Lexicon(entries: [(word: "AB", phones: ["A", "B"]), (word: "C", phones: ["C"])])
        var options = AlignerOptions()
        options.minimumPause = minimumPause
        return ForcedAligner(model: model, compiler: TranscriptCompiler(lexicon: lexicon, phoneSet: labels), options: options)
    }

    /// Log-posteriors favouring one class per frame (0 against −10), from a string: A, B, C, or `_` for the blank.
    func spikes(_ pattern: String) -> Matrix {
        let column = ["A": 1, "B": 2, "C": 3, "_": 4]
        var m = Matrix(rows: 0, columns: labels.count)
        for ch in pattern {
            var row = [Float](repeating: -10, count: labels.count)
            row[column[String(ch)]!] = 0
            m.appendRow(row)
        }
        return m
    }

    func compiled(_ aligner: ForcedAligner) throws -> CompiledTranscript {
        try aligner.compiler.compile(utterance: "u", transcript: "AB C")
    }

    /// Blanks whose posteriors do not tell the two phones apart are shared at their midpoint.
    @Test func blanksBetweenPhonesAreSharedAtTheirMidpointAndSilenceSurroundsTheWords() throws {
        let aligner = aligner(minimumPause: 10)
        //                    0123456789
        let y = spikes("__A___B__C_")
        let alignment = try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: y)
        // A emitted at 2, B at 6: the blanks 3–5 split 1 to A, 2 to B (3 / 2 = 1 frame to A).
        // B at 6, C at 9: blanks 7–8 split 1 and 1. Blanks before A and after C are silence.
        #expect(alignment.phones == [
            AlignedSegment(label: "SIL", start: 0, end: 2), AlignedSegment(label: "A", start: 2, end: 4),
            AlignedSegment(label: "B", start: 4, end: 8), AlignedSegment(label: "C", start: 8, end: 10),
            AlignedSegment(label: "SIL", start: 10, end: 11),
        ])
        #expect(alignment.words == [AlignedSegment(label: "AB", start: 2, end: 8), AlignedSegment(label: "C", start: 8, end: 10)])
        #expect(alignment.frameClasses == [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 0])
    }

    /// The blanks between two phones go where the model's posteriors of those two phones say,
    /// worked by hand: A is emitted at 2 and B at 6; on blanks 3 and 4 the model gives A −1 and
    /// B −5, on blank 5 A −5 and B −1. Splitting after k of the three blanks scores
    /// (−1 − −5)·min(k, 2) − 4·max(0, k − 2) more than giving all three to B: 0, 4, 8, 4 for
    /// k = 0…3, so A keeps 3 and 4 and B starts at 5 (the midpoint would start it at 4). Between
    /// B and C the blanks score B and C alike, so they split at their midpoint as before.
    @Test func blanksBetweenTwoPhonesFollowThoseTwoPhonesPosteriors() throws {
        let aligner = aligner(minimumPause: 10)
        var y = spikes("__A___B__C_")
        for t in [3, 4] { (y[t, 1], y[t, 2]) = (-1, -5) }
        (y[5, 1], y[5, 2]) = (-5, -1)
        let alignment = try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: y)
        #expect(alignment.phones == [
            AlignedSegment(label: "SIL", start: 0, end: 2), AlignedSegment(label: "A", start: 2, end: 5),
            AlignedSegment(label: "B", start: 5, end: 8), AlignedSegment(label: "C", start: 8, end: 10),
            AlignedSegment(label: "SIL", start: 10, end: 11),
        ])
    }

    /// A recording whose frames × CTC states exceed the limit (2²⁸ by default; 70 here) is refused,
    /// before any search, with a message naming it; at the limit it aligns (3 phones, 7 states).
    @Test func aRecordingTooLongForCTCIsNamed() throws {
        let aligner = aligner(minimumPause: 10)
        let y = spikes("__A___B__C")   // 10 frames × 7 states = 70
        #expect(throws: AlignError.tooLongForCTC(utterance: "u", frames: 10, phones: 3)) {
            try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: y, limit: 69)
        }
        #expect(try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: y, limit: 70).phones.count == 4)
        #expect(ForcedAligner.ctcAlignmentLimit == 1 << 28)
        #expect(AlignError.tooLongForCTC(utterance: "u", frames: 10, phones: 3).description.contains("framewise model aligns recordings of any length"))
    }

    @Test func aLongRunOfBlanksBetweenWordsIsAPause() throws {
        let aligner = aligner(minimumPause: 3)
        //                    0123456789
        let y = spikes("A_B______C")
        let alignment = try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: y)
        // Six blanks between the words (≥ the 3-frame pause and a frame for each side): B and C
        // keep one each, the four between are silence. Within the word, A and B share the one blank
        // (1 / 2 = 0 frames to A).
        #expect(alignment.phones == [
            AlignedSegment(label: "A", start: 0, end: 1), AlignedSegment(label: "B", start: 1, end: 4),
            AlignedSegment(label: "SIL", start: 4, end: 8), AlignedSegment(label: "C", start: 8, end: 10),
        ])
        // The same blanks within a word are never a pause.
        let inWord = try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: spikes("A______B_C"))
        #expect(!inWord.phones.contains { $0.label == "SIL" })
    }

    @Test func phonesThatCannotFitAreTooLongATranscript() throws {
        let aligner = aligner(minimumPause: 10)
        #expect(throws: AlignError.self) { try aligner.ctcAlign("u", compiled: compiled(aligner), logPosteriors: spikes("A_")) }
    }
}
