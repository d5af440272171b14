@testable import SyntheticCorpus
import SyntheticCorpus
import Testing

/// flite's segments turned into reference tiers, on hand-made segment lists (1,000 samples per
/// second, so a time in ms is a sample index) whose right answer is worked out by hand.
@Suite struct FliteReferenceAlignmentTests {
    static func synthesis(_ segments: [(String, Double, Int?)], tokens: [String]) -> FliteSynthesis {
        FliteSynthesis(samples: [], sampleRate: 1000, segments: segments.map { FliteSegment(phone: $0.0, endSeconds: $0.1, word: $0.2) }, tokens: tokens)
    }

    @Test func edgeSilenceAndPausesBecomeSILAndTheSegmentsTileTheFile() throws {
        // "the cat." with a pause between the words; 40 samples of edge silence before flite's
        // output, whose last segment ends 5 samples after its wave (as flite's do), then 60 more.
        let flite = Self.synthesis([("pau", 0.100, nil), ("dh", 0.130, 0), ("ax", 0.160, 0), ("pau", 0.260, nil),
                                    ("k", 0.300, 1), ("ae", 0.380, 1), ("t", 0.450, 1), ("pau", 0.520, nil)], tokens: ["the", "cat"])
        let reference = try ReferenceAlignment(flite: flite, leadSamples: 40, sampleCount: 40 + 515 + 60, words: ["the", "cat"],
                                               utterance: "awb-0001", minimumSilence: 30)
        #expect(reference.phones == [
            TimedLabel(label: "SIL", start: 0, end: 140), TimedLabel(label: "DH", start: 140, end: 170),
            TimedLabel(label: "AH", start: 170, end: 200), TimedLabel(label: "SIL", start: 200, end: 300),
            TimedLabel(label: "K", start: 300, end: 340), TimedLabel(label: "AE", start: 340, end: 420),
            TimedLabel(label: "T", start: 420, end: 490), TimedLabel(label: "SIL", start: 490, end: 615),
        ])
        #expect(reference.words == [
            TimedLabel(label: "SIL", start: 0, end: 140), TimedLabel(label: "THE", start: 140, end: 200),
            TimedLabel(label: "SIL", start: 200, end: 300), TimedLabel(label: "CAT", start: 300, end: 490),
            TimedLabel(label: "SIL", start: 490, end: 615),
        ])
        #expect(reference.pronunciations == [["DH", "AH"], ["K", "AE", "T"]])
        #expect(reference.mergedPhones.isEmpty)
    }

    @Test func shortPauseJoinsTheFollowingPhone() throws {
        let flite = Self.synthesis([("pau", 0.100, nil), ("m", 0.150, 0), ("pau", 0.170, nil), ("n", 0.220, 1), ("pau", 0.300, nil)], tokens: ["m", "n"])
        let reference = try ReferenceAlignment(flite: flite, leadSamples: 0, sampleCount: 300, words: ["m", "n"], utterance: "u", minimumSilence: 30)
        #expect(reference.phones == [TimedLabel(label: "SIL", start: 0, end: 100), TimedLabel(label: "M", start: 100, end: 150),
                                     TimedLabel(label: "N", start: 150, end: 220), TimedLabel(label: "SIL", start: 220, end: 300)])
        #expect(reference.words.map(\.label) == ["SIL", "M", "N", "SIL"])
        #expect(reference.words[2].start == 150)
    }

    @Test func unmappedPhoneFailsLoudlyNamingUtteranceAndWord() {
        let flite = Self.synthesis([("pau", 0.1, nil), ("w", 0.15, 0), ("ao", 0.2, 0), ("dx", 0.22, 0), ("er", 0.3, 0), ("pau", 0.4, nil)], tokens: ["water"])
        #expect(throws: SyntheticCorpusError.unmappedFlitePhone(phone: "dx", utterance: "awb-0007", word: "water")) {
            _ = try ReferenceAlignment(flite: flite, leadSamples: 0, sampleCount: 400, words: ["water"], utterance: "awb-0007", minimumSilence: 30)
        }
        #expect(throws: SyntheticCorpusError.unmappedFlitePhone(phone: "h#", utterance: "u", word: "(between words)")) {
            _ = try FlitePhoneTable.mapping(of: "h#", utterance: "u", word: nil)
        }
    }

    @Test func phonesOutsideTheSentencesWordsInTheirOrderAreRefused() {
        func reference(_ segments: [(String, Double, Int?)], tokens: [String] = ["a", "b"]) throws -> ReferenceAlignment {
            try ReferenceAlignment(flite: Self.synthesis(segments, tokens: tokens), leadSamples: 0, sampleCount: 400, words: ["a", "b"],
                                   utterance: "u", minimumSilence: 30)
        }
        #expect(throws: SyntheticCorpusError.fliteTokensDiffer(utterance: "u", expected: ["a", "b"], found: ["a", "c"])) {
            _ = try reference([("ax", 0.1, 0), ("b", 0.2, 1)], tokens: ["a", "c"])
        }
        #expect(throws: SyntheticCorpusError.flitePhoneOutsideWords(utterance: "u", phone: "ax")) { _ = try reference([("ax", 0.1, nil), ("b", 0.2, 1)]) }
        #expect(throws: SyntheticCorpusError.flitePauseInsideWord(utterance: "u", word: "b")) { _ = try reference([("ax", 0.1, 0), ("pau", 0.2, 1)]) }
        #expect(throws: SyntheticCorpusError.flitePauseInsideWord(utterance: "u", word: "b")) {
            _ = try reference([("ax", 0.1, 0), ("b", 0.2, 1), ("pau", 0.3, nil), ("iy", 0.35, 1)])
        }
        #expect(throws: SyntheticCorpusError.fliteWordsOutOfOrder(utterance: "u", word: "a", after: "b")) {
            _ = try reference([("b", 0.1, 1), ("ax", 0.2, 0)])
        }
        #expect(throws: SyntheticCorpusError.wordWithoutPhones(utterance: "u", word: "b")) { _ = try reference([("ax", 0.1, 0), ("pau", 0.2, nil)]) }
    }
}
