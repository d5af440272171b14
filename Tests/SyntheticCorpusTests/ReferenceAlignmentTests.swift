@testable import SyntheticCorpus
import SyntheticCorpus
import Testing

/// The timing repairs, on hand-made event lists whose right answer is worked out by hand.
@Suite struct ReferenceAlignmentTests {
    /// Samples: speech is 100, closures and pauses are exact zeros.
    static func audio(_ runs: [(value: Int16, count: Int)]) -> [Int16] { runs.flatMap { [Int16](repeating: $0.value, count: $0.count) } }

    @Test func stopClosureMovesIntoTheStopAndAnEmptiedLIsMerged() throws {
        // "old": vowel 0..100 (last 10 samples already closure), l 100..130 (all zeros), d 130..160.
        let samples = Self.audio([(100, 90), (0, 40), (100, 30)])
        let events: [SynthesisEvent] = [.word(index: 0, sample: 0), .phoneme(mnemonic: "oU", sample: 0),
                                        .phoneme(mnemonic: "l", sample: 100), .phoneme(mnemonic: "d", sample: 130)]
        let reference = try ReferenceAlignment(events: events, samples: samples, words: ["old"], utterance: "u",
                                               minimumSilence: 5, minimumClosure: 3)
        #expect(reference.phones == [TimedLabel(label: "OW", start: 0, end: 90), TimedLabel(label: "D", start: 90, end: 160)])
        #expect(reference.mergedPhones == ["L": 1])
        #expect(reference.pronunciations == [["OW", "D"]])
    }

    @Test func closureIsNotTakenFromASilence() throws {
        let samples = Self.audio([(0, 50), (100, 30)])
        let events: [SynthesisEvent] = [.phoneme(mnemonic: "_:", sample: 0), .word(index: 0, sample: 50), .phoneme(mnemonic: "k", sample: 50)]
        let reference = try ReferenceAlignment(events: events, samples: samples, words: ["k"], utterance: "u", minimumSilence: 5, minimumClosure: 3)
        #expect(reference.phones == [TimedLabel(label: "SIL", start: 0, end: 50), TimedLabel(label: "K", start: 50, end: 80)])
    }

    @Test func shortSilenceJoinsTheNextPhoneAndMarkersJoinTheNextPhone() throws {
        // a 0..40, pause 40..43 (short), ; 43..50, b 50..80 (no zeros before it: the pause is 100s here).
        let samples = Self.audio([(100, 80)])
        let events: [SynthesisEvent] = [.word(index: 0, sample: 0), .phoneme(mnemonic: "a", sample: 0), .phoneme(mnemonic: "_", sample: 40),
                                        .word(index: 1, sample: 43), .phoneme(mnemonic: ";", sample: 43), .phoneme(mnemonic: "n", sample: 50)]
        let reference = try ReferenceAlignment(events: events, samples: samples, words: ["a", "n"], utterance: "u", minimumSilence: 5, minimumClosure: 3)
        #expect(reference.phones == [TimedLabel(label: "AE", start: 0, end: 40), TimedLabel(label: "N", start: 40, end: 80)])
        #expect(reference.words.map(\.label) == ["A", "N"])
        #expect(reference.words[1].start == 40)
    }

    @Test func rColouredVowelIsSplitSixtyForty() throws {
        let samples = Self.audio([(100, 100)])
        let events: [SynthesisEvent] = [.word(index: 0, sample: 0), .phoneme(mnemonic: "A@", sample: 0)]
        let reference = try ReferenceAlignment(events: events, samples: samples, words: ["are"], utterance: "u", minimumSilence: 5, minimumClosure: 3)
        #expect(reference.phones == [TimedLabel(label: "AA", start: 0, end: 60), TimedLabel(label: "R", start: 60, end: 100)])
        #expect(reference.pronunciations == [["AA", "R"]])
    }

    @Test func wordsAndSilencesTileTheFile() throws {
        let samples = Self.audio([(0, 30), (100, 40), (0, 20), (100, 40), (0, 30)])
        let events: [SynthesisEvent] = [.word(index: 0, sample: 30), .phoneme(mnemonic: "m", sample: 30), .phoneme(mnemonic: "_:", sample: 70),
                                        .word(index: 1, sample: 90), .phoneme(mnemonic: "n", sample: 90), .phoneme(mnemonic: "_:", sample: 130)]
        let reference = try ReferenceAlignment(events: events, samples: samples, words: ["m", "n"], utterance: "u", minimumSilence: 5, minimumClosure: 3)
        #expect(reference.words == [TimedLabel(label: "SIL", start: 0, end: 30), TimedLabel(label: "M", start: 30, end: 70),
                                    TimedLabel(label: "SIL", start: 70, end: 90), TimedLabel(label: "N", start: 90, end: 130),
                                    TimedLabel(label: "SIL", start: 130, end: 160)])
    }

    @Test func unmappedPhonemeFailsLoudlyNamingUtteranceAndWord() {
        let events: [SynthesisEvent] = [.word(index: 0, sample: 0), .phoneme(mnemonic: "x#", sample: 0)]
        #expect(throws: SyntheticCorpusError.unmappedPhoneme(mnemonic: "x#", utterance: "utt7", word: "loch")) {
            _ = try ReferenceAlignment(events: events, samples: [1, 1], words: ["loch"], utterance: "utt7", minimumSilence: 5, minimumClosure: 3)
        }
    }

    @Test func groupedWordsAreSharedOutByTheirIsolatedPhoneCounts() throws {
        // eSpeak reports "in the" as one word: I n D @2 after the event of "in".
        let events: [SynthesisEvent] = [.word(index: 0, sample: 0), .phoneme(mnemonic: "I", sample: 0), .phoneme(mnemonic: "n", sample: 10),
                                        .phoneme(mnemonic: "D", sample: 20), .phoneme(mnemonic: "@2", sample: 30),
                                        .word(index: 2, sample: 40), .phoneme(mnemonic: "k", sample: 40)]
        let completed = try WordAttribution.completingWordEvents(events, wordCount: 3, utterance: "u") { i in [2, 2, 1][i] }
        #expect(completed[3] == .word(index: 1, sample: 20))
        #expect(completed.count == events.count + 1)
        #expect(throws: SyntheticCorpusError.self) {
            _ = try WordAttribution.completingWordEvents(events, wordCount: 3, utterance: "u") { _ in 4 }
        }
    }
}
