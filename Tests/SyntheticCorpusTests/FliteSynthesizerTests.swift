import Foundation
@testable import SyntheticCorpus
import SyntheticCorpus
import Testing

/// flite itself, in this process: its phones for the whole vocabulary, and one sentence's reference.
/// Serialized: flite's voices and its random state are global.
@Suite(.serialized) struct FliteSynthesizerTests {
    static let synthesizer = Result { try FliteSynthesizer() }

    @Test func everyPhoneFliteSpeaksForTheVocabularyIsMappedAndTheFortyAreAllHeard() throws {
        let synthesizer = try Self.synthesizer.get()
        let words = Vocabulary.all.sorted()
        var spoken = Set<String>()
        // The whole vocabulary as eight long sentences (flite's time goes with the audio's length, not the number
        // of calls), in one voice: awb and rms share flite's US English lexicon and post-lexical rules (on
        // 2,200 corpus sentences they spoke the same phones).
        for first in stride(from: 0, to: words.count, by: 46) {
            let sentence = Array(words[first..<min(first + 46, words.count)])
            let synthesis = try synthesizer.synthesize(words: sentence, voice: .awb, utterance: "awb-\(first)")
            #expect(synthesis.tokens == sentence)
            #expect(synthesis.segments.allSatisfy { $0.phone == "pau" || $0.word != nil }, "a phone outside every word")
            spoken.formUnion(synthesis.segments.map(\.phone))
        }
        let unmapped = spoken.filter { FlitePhoneTable.table[$0] == nil }
        #expect(unmapped.isEmpty, "flite phones without a mapping: \(unmapped.sorted())")
        let heard = Set(try spoken.map { phone -> String in
            switch try FlitePhoneTable.mapping(of: phone, utterance: "vocabulary", word: nil) {
            case let .phone(arpabet): return arpabet
            case .silence: return "SIL"
            }
        })
        #expect(heard == Set(EspeakPhoneTable.phoneSet))
    }

    @Test func synthesizedSentenceReferenceTilesTheFileAndFollowsItsWords() throws {
        let synthesizer = try Self.synthesizer.get()
        let words = "the old man read a letter to susan".split(separator: " ").map(String.init)
        let synthesis = try synthesizer.synthesize(words: words, voice: .rms, utterance: "rms-0001")
        #expect(synthesis.sampleRate == 16000)
        let lead = 2400, n = lead + synthesis.samples.count + 3200
        let reference = try ReferenceAlignment(flite: synthesis, leadSamples: lead, sampleCount: n, words: words, utterance: "rms-0001", minimumSilence: 480)
        for tier in [reference.phones, reference.words] {
            #expect(tier.first?.start == 0 && tier.last?.end == n)
            #expect(zip(tier, tier.dropFirst()).allSatisfy { $0.end == $1.start }, "gap or overlap")
            #expect(tier.allSatisfy { $0.end > $0.start })
            #expect(tier.first?.label == "SIL" && tier.last?.label == "SIL")
        }
        // flite's own leading pause joins the added silence.
        #expect(reference.phones[0].end > lead)
        // The phones are the words' pronunciations in order, and each word's interval holds exactly its own.
        #expect(reference.phones.map(\.label).filter { $0 != "SIL" } == reference.pronunciations.flatMap { $0 })
        let spokenWords = reference.words.filter { $0.label != "SIL" }
        #expect(spokenWords.map(\.label) == words.map { $0.uppercased() })
        for (word, pronunciation) in zip(spokenWords, reference.pronunciations) {
            #expect(reference.phones.filter { $0.start >= word.start && $0.end <= word.end }.map(\.label) == pronunciation, "\(word.label)")
        }
        // What flite says: "the" before a vowel, "read" as the past tense.
        #expect(reference.pronunciations[0] == ["DH", "IY"])
        #expect(reference.pronunciations[3] == ["R", "EH", "D"])
        // The reference's silences are flite's quiet stretches: far below its vowels.
        func meanEnergy(_ labels: Set<String>) -> Double {
            var energy = 0.0, count = 0
            for phone in reference.phones where labels.contains(phone.label) {
                for i in max(phone.start, lead)..<min(phone.end, lead + synthesis.samples.count) {
                    energy += Double(synthesis.samples[i - lead]) * Double(synthesis.samples[i - lead])
                    count += 1
                }
            }
            return energy / Double(max(count, 1))
        }
        #expect(10 * log10(meanEnergy(["SIL"]) / meanEnergy(EspeakPhoneTable.vowels)) < -25)
    }
}
