import KaldiIO
/// What can go wrong making the synthetic corpus.
public enum SyntheticCorpusError: Error, Equatable, CustomStringConvertible, Sendable {
    case synthesizerUnavailable(reason: String)
    case unknownVoice(String)
    case unmappedPhoneme(mnemonic: String, utterance: String, word: String)
    case wordCountMismatch(utterance: String, expected: Int, found: Int)
    case wordWithoutPhones(utterance: String, word: String)
    case workerFailed(worker: Int, status: Int32, message: String)
    case fliteUnavailable(reason: String)
    case unmappedFlitePhone(phone: String, utterance: String, word: String)
    case fliteTokensDiffer(utterance: String, expected: [String], found: [String])
    case flitePhoneOutsideWords(utterance: String, phone: String)
    case flitePauseInsideWord(utterance: String, word: String)
    case fliteWordsOutOfOrder(utterance: String, word: String, after: String)
    case wordListUnusable(path: String, reason: String)
    case noWordList(language: String)

    public var description: String {
        switch self {
        case let .synthesizerUnavailable(reason): return "eSpeak NG unavailable: \(reason) (install espeak-ng and libespeak-ng-dev; ./setup.sh does)"
        case let .unknownVoice(voice): return "eSpeak NG has no voice or language '\(voice)' ('espeak-ng --voices' lists them)"
        case let .unmappedPhoneme(mnemonic, utterance, word): return "utterance \(utterance), word '\(word)': eSpeak phoneme '\(mnemonic)' has no ARPAbet mapping (add it to EspeakPhoneTable)"
        case let .wordCountMismatch(utterance, expected, found): return "utterance \(utterance): eSpeak reported \(found) words, the sentence has \(expected)"
        case let .wordWithoutPhones(utterance, word): return "utterance \(utterance): word '\(word)' has no phones left after timing repairs"
        case let .workerFailed(worker, status, message): return "corpus worker \(worker) failed (status \(status)): \(message)"
        case let .fliteUnavailable(reason): return "flite unavailable: \(reason) (install flite1-dev; ./setup.sh does)"
        case let .unmappedFlitePhone(phone, utterance, word): return "utterance \(utterance), word '\(word)': flite phone '\(phone)' has no ARPAbet mapping (add it to FlitePhoneTable)"
        case let .fliteTokensDiffer(utterance, expected, found):
            return "utterance \(utterance): flite read the tokens '\(found.joined(separator: " "))', the sentence is '\(expected.joined(separator: " "))'"
        case let .flitePhoneOutsideWords(utterance, phone): return "utterance \(utterance): flite phone '\(phone)' belongs to no word of the sentence"
        case let .flitePauseInsideWord(utterance, word): return "utterance \(utterance): flite paused inside word '\(word)'"
        case let .wordListUnusable(path, reason): return "word list \(path): \(reason)"
        case let .noWordList(language):
            let known = WordList.debianLists.keys.sorted().joined(separator: ", ")
            return "no word list for language '\(language)': pass --words FILE (one word per line); Debian's lists are known for \(known)"
        case let .fliteWordsOutOfOrder(utterance, word, after): return "utterance \(utterance): flite's phones of '\(word)' come after those of '\(after)', out of sentence order"
        }
    }
}
