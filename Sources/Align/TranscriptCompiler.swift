/// What to do with words missing from the lexicon.
public enum OOVMode: String, Codable, CaseIterable, Sendable {
    /// Leave the utterance out (it is reported in `oovs.txt`).
    case skip
    /// Align each unknown word to the spoken-noise phone `SPN`.
    case spn
}

/// A transcript ready for alignment: its words and every word's pronunciations as class indices.
public struct CompiledTranscript: Equatable, Sendable {
    public var words: [String]
    /// Per word, its pronunciations (class indices into the phone set).
    public var pronunciations: [[[Int]]]
    /// Words that were not in the lexicon (aligned to SPN in `spn` mode).
    public var outOfVocabulary: [String]
}

/// Turns transcripts into class-index pronunciations with a lexicon and a phone set.
public struct TranscriptCompiler: Sendable {
    public let lexicon: Lexicon
    /// Class labels of the model, index = class.
    public let phoneSet: [String]
    public let oovMode: OOVMode
    private let index: [String: Int]

    public init(lexicon: Lexicon, phoneSet: [String], oovMode: OOVMode = .skip) {
        self.lexicon = lexicon
        self.phoneSet = phoneSet
        self.oovMode = oovMode
        index = Dictionary(uniqueKeysWithValues: phoneSet.enumerated().map { ($0.element, $0.offset) })
    }

    public var silence: Int { index[Lexicon.silence] ?? 0 }

    /// Compiles one transcript.
    /// - Throws: `AlignError.emptyTranscript`; `.outOfVocabulary` in `skip` mode; `.unknownPhone` for a
    ///   lexicon phone the model does not have.
    public func compile(utterance: String, transcript: String) throws -> CompiledTranscript {
        let words = Lexicon.normalizedWords(transcript)
        guard !words.isEmpty else { throw AlignError.emptyTranscript(utterance: utterance) }
        var pronunciations = [[[Int]]]()
        var oovs = [String]()
        for word in words {
            guard let variants = lexicon.lookup(word) else {
                oovs.append(word)
                if let spn = index[Lexicon.spokenNoise] { pronunciations.append([[spn]]) }
                continue
            }
            pronunciations.append(try variants.map { phones in
                try phones.map { phone in
                    guard let c = index[phone] else { throw AlignError.unknownPhone(phone: phone, context: "word \(word), utterance \(utterance)") }
                    return c
                }
            })
        }
        if !oovs.isEmpty && (oovMode == .skip || index[Lexicon.spokenNoise] == nil) {
            throw AlignError.outOfVocabulary(utterance: utterance, words: oovs)
        }
        return CompiledTranscript(words: words, pronunciations: pronunciations, outOfVocabulary: oovs)
    }

    /// Kaldi-style equal alignment for a flat start: silence, each word's first pronunciation,
    /// silence, spread uniformly over `frames` frames.
    /// - Throws: `AlignError.transcriptTooLong` when there are fewer frames than phones.
    public func flatStart(_ transcript: CompiledTranscript, frames: Int, utterance: String) throws -> [Int32] {
        let sequence = [silence] + transcript.pronunciations.flatMap { $0[0] } + [silence]
        guard frames >= sequence.count else {
            throw AlignError.transcriptTooLong(utterance: utterance, frames: frames, minimumFrames: sequence.count)
        }
        return (0..<frames).map { Int32(sequence[$0 * sequence.count / frames]) }
    }
}
