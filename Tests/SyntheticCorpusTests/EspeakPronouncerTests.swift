import Foundation
import SyntheticCorpus
import Testing

@Suite(.serialized) struct EspeakPronouncerTests {
    /// Words outside the built-in corpus's vocabulary, with the CMU dictionary's pronunciation
    /// (stress removed), which eSpeak NG's agrees with after mapping: each exercises a mapping
    /// added for such words (-ia with one R after the r-coloured vowel, syllabic l and n, the
    /// velar fricative).
    @Test func pronouncesWordsAsTheCMUDictionaryDoes() throws {
        let pronouncer = try EspeakPronouncer()
        #expect(try pronouncer.pronunciation(of: "seven") == ["S", "EH", "V", "AH", "N"])
        #expect(try pronouncer.pronunciation(of: "area") == ["EH", "R", "IY", "AH"])
        #expect(try pronouncer.pronunciation(of: "Bottle") == ["B", "AA", "T", "AH", "L"])
        #expect(try pronouncer.pronunciation(of: "GLUTTONS") == ["G", "L", "AH", "T", "AH", "N", "Z"])
        #expect(try pronouncer.pronunciation(of: "burbach") == ["B", "ER", "B", "AA", "K"])
    }

    @Test func refusesWhatIsNotWrittenInLatinLetters() throws {
        let pronouncer = try EspeakPronouncer()
        for word in ["42", "c3po", "a+b", "привет", "東京", "--"] {
            #expect(throws: EspeakPronouncer.Failure.notLatinLetters(word: word)) { try pronouncer.pronunciation(of: word) }
        }
        #expect(try pronouncer.pronunciation(of: "don't") == ["D", "OW", "N", "T"])
        #expect(!(try pronouncer.pronunciation(of: "crème")).isEmpty)
    }
}
