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
