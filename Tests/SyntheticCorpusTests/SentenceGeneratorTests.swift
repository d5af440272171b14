import Foundation
import KaldiIO
@testable import SyntheticCorpus
import Testing
import Core
import SyntheticCorpus

@Suite struct SentenceGeneratorTests {
    @Test func sentencesHaveFiveToFifteenWordsAndRepeatForTheSameSeed() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = SentenceGenerator().distinctSentences(count: 300, using: &a)
        #expect(first == SentenceGenerator().distinctSentences(count: 300, using: &b))
        #expect(first != SentenceGenerator().distinctSentences(count: 300, using: &c))
        #expect(first.allSatisfy { (5...15).contains($0.count) })
        #expect(Set(first).count == 300)
    }

    @Test func everyWordIsInTheCMUDictionary() throws {
        let path = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let dictionary = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard let word = line.split(separator: " ").first else { return nil }
            return String(word.split(separator: "(").first ?? word)
        })
        let missing = Vocabulary.all.filter { !dictionary.contains($0) }
        #expect(missing.isEmpty, "not in \(path): \(missing.sorted())")
    }

    /// A plan's options: 400 training and 60 test utterances.
    static var options400x60: SyntheticCorpusOptions {
        var options = SyntheticCorpusOptions()
        options.trainUtterances = 400
        options.testUtterances = 60
        return options
    }

    /// The starter model's corpus: several English voices with their own speaker IDs, other
    /// variants, flite on training sentences; the default plan is unchanged by the options' existence.
    @Test func moreVoicesAndVariantsKeepTheTestVariantsOutOfTraining() throws {
        var options = Self.options400x60
        options.englishVoices = ["en-us", "en-gb-x-rp"]
        options.trainingVariants = ["klatt", "Alex", "m6", "whisper"]
        options.fliteTestUtterances = 10
        options.fliteTrainUtterances = 20
        let plan = try CorpusPlan(options: options)
        let trainSpeakers = Set(plan.utterances.filter { $0.set == "train" }.map(\.speaker.id))
        #expect(trainSpeakers == ["us-klatt", "us-Alex", "us-whisper", "gb-x-rp-klatt", "gb-x-rp-Alex", "gb-x-rp-whisper", "awb", "rms"])
        #expect(Set(plan.utterances.filter { $0.set == "test" }.map(\.speaker.id)) == ["us-m6", "us-f5", "gb-x-rp-m6", "gb-x-rp-f5"])
        let flite = plan.utterances.filter { $0.speaker.id == "awb" || $0.speaker.id == "rms" }
        #expect(flite.filter { $0.set == "train" }.count == 20 && flite.filter { $0.set == "test-flite" }.count == 10)
        #expect(Set(flite.map(\.id)).count == 30, "flite's training and test utterances have IDs of their own")
        let trainSentences = Set(plan.utterances.filter { $0.set == "train" && !["awb", "rms"].contains($0.speaker.id) }.map(\.words))
        #expect(flite.filter { $0.set == "train" }.allSatisfy { trainSentences.contains($0.words) })
        for speaker in plan.speakers {
            guard case let .espeak(voice) = speaker.voice else { continue }
            #expect(voice.name == (speaker.id.hasPrefix("us-") ? "en-us+" : "en-gb-x-rp+") + speaker.id.split(separator: "-").last!)
        }
        #expect(try CorpusPlan(options: Self.options400x60).utterances.first?.id == "m6-0001", "the default plan keeps its IDs")
    }

    @Test func planKeepsTestSentencesAndVoicesOutOfTraining() throws {
        let plan = try CorpusPlan(options: Self.options400x60)
        let train = plan.utterances.filter { $0.set == "train" }, test = plan.utterances.filter { $0.set == "test" }
        #expect(train.count == 400 && test.count == 60)
        #expect(Set(train.map(\.words)).isDisjoint(with: Set(test.map(\.words))))
        #expect(Set(test.map(\.speaker.id)) == ["m6", "f5"])
        #expect(Set(train.map(\.speaker.id)).count == 10)
        #expect(Set(train.map(\.speaker.id)).isDisjoint(with: ["m6", "f5"]))
        #expect(Set(plan.utterances.map(\.id)).count == 520)
    }

    @Test func fliteVoicesSpeakTheTestSentencesInTurnAndLeaveTheESpeakPlanAsItWas() throws {
        var options = Self.options400x60
        let plan = try CorpusPlan(options: options)
        let test = plan.utterances.filter { $0.set == "test" }, flite = plan.utterances.filter { $0.set == "test-flite" }
        #expect(flite.map(\.words) == test.map(\.words))
        #expect(flite.prefix(4).map(\.id) == ["awb-0001", "rms-0001", "awb-0002", "rms-0002"])
        #expect(flite.allSatisfy { $0.speaker.testOnly && $0.speaker.voice == .flite(FliteVoice(rawValue: $0.speaker.id)!) })
        options.fliteTestUtterances = 7
        let fewer = try CorpusPlan(options: options)
        #expect(fewer.utterances.filter { $0.set == "test-flite" }.map(\.words) == Array(test.prefix(7).map(\.words)))
        options.fliteTestUtterances = 0
        let none = try CorpusPlan(options: options)
        #expect(none.utterances == plan.utterances.filter { $0.set != "test-flite" })
    }
}
