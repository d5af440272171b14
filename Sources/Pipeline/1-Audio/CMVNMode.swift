/// How CMVN statistics are grouped.
public enum CMVNMode: String, Codable, CaseIterable, Sendable {
    /// One set of statistics per speaker (`utt2spk`; each utterance its own speaker without it).
    case speaker
    /// One set per utterance.
    case utterance
    /// No `cmvn.scp`.
    case none
}
