import Core
import Foundation
import KaldiIO
import ParrotTestSupport
@testable import SyntheticCorpus
import Testing

/// The built-in corpus in another language (`parrot-corpus --language`): word lists, eSpeak's own
/// phonemes, and the plan's voices and sentences.
@Suite struct LanguageCorpusTests {
    /// Thirty Spanish words (one with an accent, one with ñ), and lines a word list may hold that are no words to speak.
    static let spanishWords = """
        casa perro gato mesa silla libro agua fuego tierra cielo noche día ciudad camino puerta ventana
        madre padre hermano amigo campo río montaña niño verde rojo blanco negro grande pequeño
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static func writeWordList(_ extra: [String] = []) throws -> String {
        let path = try TestSupport.temporaryDirectory("parrot-language") + "/words.txt"
        try TestSupport.write((spanishWords + extra).joined(separator: "\n") + "\n", to: path)
        return path
    }

    @Test func aWordListKeepsPlainWordsOnly() {
        let text = "Haus\nABC\niPhone\nStraße\nx\n42er\nüber/SFX\nunverhältnismäßigkeiten\nHaus\nhaus\nE-Mail\n"
        #expect(WordList.candidates(in: text) == ["haus", "straße", "über"])
    }

    @Test func eSpeaksOwnPhonemesKeepTheirNamesAndMarkersHaveNoPhone() throws {
        let inventory = PhoneInventory.espeak
        #expect(try inventory.mapping(of: "a:", utterance: "u", word: "w") == .phones(["a:"]))
        #expect(try inventory.mapping(of: "**", utterance: "u", word: "w") == .phones(["**"]))
        #expect(try inventory.mapping(of: "_:", utterance: "u", word: nil) == .silence)
        #expect(try inventory.mapping(of: "_^_", utterance: "u", word: nil) == .silence)
        #expect(try inventory.mapping(of: "(en)", utterance: "u", word: "w") == .joinsNext)
        #expect(try inventory.mapping(of: ";", utterance: "u", word: "w") == .joinsNext)
        #expect(["p", "t", "k", "b", "d", "g", "ts", "tS", "pF"].allSatisfy(inventory.isStop))
        #expect(!["B", "D", "Q", "s", "tr", "a"].contains(where: inventory.isStop))   // Spanish's approximant b, d, g are no stops
        #expect(inventory.isVowel("a:") && inventory.isVowel("@") && !inventory.isVowel("n"))
        // The English inventory is the ARPAbet table, unmapped mnemonics an error.
        #expect(try PhoneInventory.arpabet.mapping(of: "A@", utterance: "u", word: "w") == .phones(["AA", "R"]))
        #expect(throws: SyntheticCorpusError.self) { try PhoneInventory.arpabet.mapping(of: "a:", utterance: "u", word: "w") }
    }

    @Test func thePlanSpeaksTheLanguagesVoicesWithWordsFromTheList() throws {
        var options = SyntheticCorpusOptions()
        options.language = "es"
        options.wordList = try Self.writeWordList(["ABC", "42"])
        options.trainUtterances = 40
        options.testUtterances = 6
        options.vocabularySize = 25
        let plan = try CorpusPlan(options: options)
        #expect(plan.utterances.count == 46, "no test-flite set in another language")
        #expect(Set(plan.utterances.map(\.set)) == ["train", "test"])
        var voices = Set<String>()
        for speaker in plan.speakers {
            guard case let .espeak(voice) = speaker.voice else { Issue.record("\(speaker.id) is not an eSpeak voice"); continue }
            voices.insert(voice.name)
        }
        #expect(voices == Set((CorpusPlan.trainingVariants + CorpusPlan.testVariants).map { "es+\($0)" }))
        let used = Set(plan.utterances.flatMap(\.words))
        #expect(used.isSubset(of: Set(Self.spanishWords)) && used.count <= 25, "\(used.subtracting(Self.spanishWords))")
        #expect(plan.utterances.allSatisfy { options.sentenceLength.contains($0.words.count) })
        let test = Set(plan.utterances.filter { $0.set == "test" }.map(\.words))
        #expect(test.isDisjoint(with: plan.utterances.filter { $0.set == "train" }.map(\.words)), "a test sentence occurs in training")
        #expect(try CorpusPlan(options: options).utterances == plan.utterances, "the same seed gives the same plan")
    }

    @Test func aLanguageWithoutAWordListOrAnUnusableListIsAClearError() throws {
        var options = SyntheticCorpusOptions()
        options.language = "tr"
        #expect(throws: SyntheticCorpusError.noWordList(language: "tr")) { try CorpusPlan(options: options) }
        #expect(SyntheticCorpusError.noWordList(language: "tr").description.contains("pass --words FILE"))
        let path = try TestSupport.temporaryDirectory("parrot-language") + "/short.txt"
        try TestSupport.write("uno\ndos\n", to: path)
        options.wordList = path
        #expect(throws: SyntheticCorpusError.wordListUnusable(path: path, reason: "2 usable words (letters only, 2–12 of them); at least 20 needed")) {
            try CorpusPlan(options: options)
        }
    }

    /// The corpus as written: its phone times use exactly the phones of its lexicon (plus SIL),
    /// the words' phones are their lexicon pronunciations, and an unknown language is one error.
    @Test func theCorpusWritesESpeaksPhonesConsistentlyAndRefusesAnUnknownLanguage() throws {
        let words = try Self.writeWordList()
        let dir = try TestSupport.temporaryDirectory("parrot-language") + "/es"
        let tool = TestSupport.builtBinary("parrot-corpus")
        let run = try TestSupport.run(tool, [dir, "--language", "es", "--words", words, "--train", "12", "--test", "4", "--nj", "2"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/test-flite"))
        var lexiconPhones = Set<String>()
        for line in try String(contentsOfFile: dir + "/lexicon.txt", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            #expect(Self.spanishWords.contains(fields[0].lowercased()), "\(fields[0])")
            lexiconPhones.formUnion(fields.dropFirst())
        }
        var ctmPhones = Set<String>()
        for set in ["train", "test"] {
            let phones = try CorpusCommandTests.readCTM("\(dir)/\(set)/phones.ctm")
            let text = try TableFile(path: "\(dir)/\(set)/text").dictionary
            #expect(Set(phones.keys) == Set(text.keys))
            for (utterance, tier) in phones {
                ctmPhones.formUnion(tier.map(\.token))
                #expect(tier.first?.token == "SIL" && tier.last?.token == "SIL", "\(utterance)")
                for (a, b) in zip(tier, tier.dropFirst()) { #expect(abs(a.start + a.duration - b.start) <= 0.001, "\(utterance)") }
            }
        }
        #expect(ctmPhones == lexiconPhones.union(["SIL"]), "\(ctmPhones.symmetricDifference(lexiconPhones.union(["SIL"])))")
        #expect(lexiconPhones.isSuperset(of: ["a", "e", "o", "k", "s", "t"]) && !lexiconPhones.contains("AA"), "eSpeak's Spanish phonemes, not ARPAbet: \(lexiconPhones)")

        let unknown = try TestSupport.run(tool, [dir + "-xx", "--language", "xx", "--words", words, "--train", "4", "--test", "2"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("eSpeak NG has no voice or language 'xx'"), "\(unknown.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "-xx/train"))
    }
}
