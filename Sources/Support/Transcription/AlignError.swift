/// What can go wrong aligning an utterance or reading alignment inputs. Each case names the
/// utterance or file, so a batch can report it and go on.
public enum AlignError: Error, Equatable, CustomStringConvertible, Sendable {
    case badLexiconLine(path: String, line: Int, reason: String)
    case emptyLexicon(path: String)
    case outOfVocabulary(utterance: String, words: [String])
    case emptyTranscript(utterance: String)
    case transcriptTooLong(utterance: String, frames: Int, minimumFrames: Int)
    case unknownPhone(phone: String, context: String)
    case noPath(utterance: String)
    /// A long recording's beam search lost every path, even at its widest beam.
    case beamTooNarrow(utterance: String, beam: Float)
    /// A recording too long for CTC alignment, whose search keeps every frame × state.
    case tooLongForCTC(utterance: String, frames: Int, phones: Int)
    /// A boundary refiner that does not fit the model, the features or its own file.
    case refinerMismatch(reason: String)
    /// No reference boundary could be matched to train a boundary refiner.
    case noReferenceBoundaries(reason: String)

    public var description: String {
        switch self {
        case let .badLexiconLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .emptyLexicon(path): return "\(path): no pronunciations"
        case let .outOfVocabulary(utterance, words): return "utterance \(utterance): not in the lexicon: \(words.joined(separator: " "))"
        case let .emptyTranscript(utterance): return "utterance \(utterance): empty transcript"
        case let .transcriptTooLong(utterance, frames, minimum):
            return "utterance \(utterance): transcript too long for the audio (\(frames) frames, the transcript needs at least \(minimum))"
        case let .unknownPhone(phone, context):
            return phone.contains(" ") ? "phones \(phone) are not in the model's phone set (\(context))" : "phone '\(phone)' is not in the model's phone set (\(context))"
        case let .noPath(utterance): return "utterance \(utterance): no alignment path (all scores impossible)"
        case let .beamTooNarrow(utterance, beam):
            return "utterance \(utterance): no alignment within a beam of \(Int(beam)): the transcript and the recording disagree for too long (words the recording lacks, or a long stretch it has and the transcript does not); check the transcript, or split the recording where they part"
        case let .tooLongForCTC(utterance, frames, phones):
            return "utterance \(utterance): too long to align with a CTC model (\(frames) frames × \(phones) phones); a framewise model aligns recordings of any length"
        case let .refinerMismatch(reason): return "boundary refiner: \(reason)"
        case let .noReferenceBoundaries(reason): return "no reference boundaries to learn from: \(reason)"
        }
    }
}
