import Foundation

/// Pronunciations for words a lexicon lacks: eSpeak NG's own (its dictionary, then its
/// letter-to-sound rules) for American English, in the built-in corpus's ARPAbet phones
/// (`EspeakPhoneTable`), so they fit models trained on it or on the CMU dictionary. An
/// r-coloured vowel followed by a linking r gives one R, as the dictionary writes it.
///
/// Only words written in Latin letters (with apostrophes and hyphens) are pronounced: eSpeak
/// would read digits and symbols as other words ("42" as "forty-two") and switch language for
/// another script, neither of which is what the transcript's token says. eSpeak NG is not
/// thread-safe: use one pronouncer from one thread.
public struct EspeakPronouncer {
    private let synthesizer: SpeechSynthesizer
    /// American English mapped to ARPAbet; false: another language, in eSpeak's own phonemes.
    private let arpabet: Bool

    /// Why a word got no pronunciation.
    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case notLatinLetters(word: String)
        case notLetters(word: String)
        case unmappedPhoneme(word: String, mnemonic: String)
        case noPhones(word: String)

        public var description: String {
            switch self {
            case let .notLatinLetters(word): return "'\(word)' is not written in Latin letters (digits, symbols or another script): write it out as it is spoken, or add it to the lexicon"
            case let .notLetters(word): return "'\(word)' is not written in letters (digits or symbols): write it out as it is spoken, or add it to the lexicon"
            case let .unmappedPhoneme(word, mnemonic): return "'\(word)': eSpeak NG's phoneme '\(mnemonic)' has no ARPAbet equivalent; add the word to the lexicon"
            case let .noPhones(word): return "'\(word)': eSpeak NG gives it no phones"
            }
        }
    }

    /// American English in ARPAbet.
    /// - Throws: `SyntheticCorpusError.synthesizerUnavailable` or `.unknownVoice`.
    public init() throws {
        synthesizer = try SpeechSynthesizer()
        try synthesizer.selectVoice("en-us")
        arpabet = true
    }

    /// Another language eSpeak NG speaks (`de`, `es`, …; `espeak-ng --voices` lists them), in
    /// eSpeak's own phoneme mnemonics (stress marks removed), for words in any letters.
    /// - Throws: `SyntheticCorpusError.synthesizerUnavailable` or `.unknownVoice`.
    public init(language: String) throws {
        synthesizer = try SpeechSynthesizer()
        try synthesizer.selectVoice(language)
        arpabet = false
    }

    /// ARPAbet phones of `word` (any case).
    /// - Throws: `Failure`.
    public func pronunciation(of word: String) throws -> [String] {
        let lower = word.lowercased()
        if !arpabet {
            guard lower.unicodeScalars.contains(where: { $0.properties.isAlphabetic }),
                  lower.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.generalCategory == .nonspacingMark || $0 == "'" || $0 == "-" }) else {
                throw Failure.notLetters(word: word)
            }
            let phones = synthesizer.isolatedPhonemes(of: lower).filter {
                if case .phones = try? PhoneInventory.espeak.mapping(of: $0, utterance: "", word: word) { return true }
                return false
            }
            guard !phones.isEmpty else { throw Failure.noPhones(word: word) }
            return phones
        }
        guard lower.unicodeScalars.contains(where: Self.isLatinLetter),
              lower.unicodeScalars.allSatisfy({ Self.isLatinLetter($0) || $0 == "'" || $0 == "-" || $0 == "’" }) else {
            throw Failure.notLatinLetters(word: word)
        }
        var phones = [String]()
        for mnemonic in synthesizer.isolatedPhonemes(of: lower.replacingOccurrences(of: "’", with: "'")) {
            if let phonesHere = Self.dictionaryConventions[mnemonic] { phones += phonesHere; continue }
            guard let mapping = try? EspeakPhoneTable.mapping(of: mnemonic, utterance: "", word: word) else {
                throw Failure.unmappedPhoneme(word: word, mnemonic: mnemonic)
            }
            guard case let .phones(list) = mapping else { continue }
            // An r-coloured vowel (`e@` → EH R) before eSpeak's linking r would give R twice.
            phones += list.first == "R" && phones.last == "R" ? Array(list.dropFirst()) : list
        }
        guard !phones.isEmpty else { throw Failure.noPhones(word: word) }
        return phones
    }

    /// Where the CMU dictionary's convention differs from the built-in corpus's table (which
    /// follows eSpeak's timing): a syllabic l is a schwa and an l (`bottle` B AA T AH L).
    static let dictionaryConventions: [String: [String]] = ["@L": ["AH", "L"]]

    private static func isLatinLetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || (0xC0...0x24F).contains(c.value) && c.properties.isAlphabetic
    }
}
