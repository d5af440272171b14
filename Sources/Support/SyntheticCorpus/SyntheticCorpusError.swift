import KaldiIO
/// What can go wrong making the synthetic corpus.
public enum SyntheticCorpusError: Error, Equatable, CustomStringConvertible, Sendable {
    case synthesizerUnavailable(reason: String)
    case unknownVoice(String)
    case unmappedPhoneme(mnemonic: String, utterance: String, word: String)
    case wordCountMismatch(utterance: String, expected: Int, found: Int)
    case wordWithoutPhones(utterance: String, word: String)
    case workerFailed(worker: Int, status: Int32, message: String)

    public var description: String {
        switch self {
        case let .synthesizerUnavailable(reason): return "eSpeak NG unavailable: \(reason) (install espeak-ng and libespeak-ng-dev; ./setup.sh does)"
        case let .unknownVoice(voice): return "eSpeak NG has no voice '\(voice)'"
        case let .unmappedPhoneme(mnemonic, utterance, word): return "utterance \(utterance), word '\(word)': eSpeak phoneme '\(mnemonic)' has no ARPAbet mapping (add it to EspeakPhoneTable)"
        case let .wordCountMismatch(utterance, expected, found): return "utterance \(utterance): eSpeak reported \(found) words, the sentence has \(expected)"
        case let .wordWithoutPhones(utterance, word): return "utterance \(utterance): word '\(word)' has no phones left after timing repairs"
        case let .workerFailed(worker, status, message): return "corpus worker \(worker) failed (status \(status)): \(message)"
        }
    }
}
