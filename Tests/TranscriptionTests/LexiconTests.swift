import ParrotTestSupport
import Testing
import Transcription

@Suite struct LexiconTests {
    @Test func readsCMUKaldiAndMFALinesWithVariantsAndStress() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("""
        ;;; a comment
        read R IY1 D
        READ(2) R EH1 D
        the\t0.8\tDH AH0
        the\t0.2\t0.1\t1.0\t1.0\tDH IY0
        seven S EH1 V AH0 N

        """, to: dir + "/lex.txt")
        let lexicon = try Lexicon(path: dir + "/lex.txt")
        #expect(lexicon.lookup("Read") == [["R", "IY", "D"], ["R", "EH", "D"]])
        #expect(lexicon.lookup("THE") == [["DH", "AH"], ["DH", "IY"]])
        #expect(lexicon.lookup("seven") == [["S", "EH", "V", "AH", "N"]])
        #expect(lexicon.lookup("eight") == nil)
        #expect(lexicon.phoneSet.prefix(2) == ["SIL", "SPN"])
        #expect(lexicon.phoneSet.count == 2 + Set(["R", "IY", "D", "EH", "DH", "AH", "S", "V", "N"]).count)
        #expect(try Lexicon(path: dir + "/lex.txt", keepStress: true).lookup("read")?.first == ["R", "IY1", "D"])
    }

    /// Only an ARPAbet vowel's digit is stress: eSpeak NG's phoneme set names other phonemes with
    /// digits (Spanish `R2` is not `R`, `@2` is not `@`), and they must stay apart.
    @Test func digitsOfOtherPhonesAreNoStress() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("PERRO p e R2 o\nPERA p e ** a\nBITTE b I t @2\nbutter B AH1 T ER0\n", to: dir + "/lex.txt")
        let lexicon = try Lexicon(path: dir + "/lex.txt")
        #expect(lexicon.lookup("perro") == [["p", "e", "R2", "o"]])
        #expect(lexicon.lookup("bitte") == [["b", "I", "t", "@2"]])
        #expect(lexicon.lookup("butter") == [["B", "AH", "T", "ER"]])
        #expect(Lexicon.strippingStress("ow2") == "ow")
        #expect(Lexicon.strippingStress("T2") == "T2")
    }

    @Test func wordWithoutPhonesIsReportedWithItsLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("YES Y EH S\nNO\n", to: dir + "/lex.txt")
        #expect(throws: AlignError.badLexiconLine(path: dir + "/lex.txt", line: 2, reason: "word 'NO' has no phones")) {
            _ = try Lexicon(path: dir + "/lex.txt")
        }
    }

    @Test func transcriptWordsAreNormalised() {
        #expect(Lexicon.normalizedWords("  Hello, world!  \"Yes\" (no) ") == ["HELLO", "WORLD", "YES", "NO"])
    }
}
