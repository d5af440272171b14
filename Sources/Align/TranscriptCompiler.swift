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
    /// silence, spread uniformly over `frames` frames. With `speech` (the frames that sound like
    /// speech), the frames before and after it are silence and the phones share the frames inside.
    /// - Returns: the class of every frame.
    /// - Throws: `AlignError.transcriptTooLong` when there are fewer frames than phones.
    public func flatStart(_ transcript: CompiledTranscript, frames: Int, utterance: String, speech: Range<Int>? = nil) throws -> [Int32] {
        let phones = transcript.pronunciations.flatMap { $0[0] }
        return try flatStartPositions(transcript, frames: frames, utterance: utterance, speech: speech)
            .map { Int32($0.map { phones[$0] } ?? silence) }
    }

    /// The flat start as phone positions: for every frame, the index of its phone in the
    /// concatenated first pronunciations, or nil for silence.
    public func flatStartPositions(_ transcript: CompiledTranscript, frames: Int, utterance: String, speech: Range<Int>? = nil) throws -> [Int?] {
        let count = transcript.pronunciations.reduce(0) { $0 + $1[0].count }
        if let speech, speech.lowerBound > 0 || speech.upperBound < frames, speech.count >= count, speech.upperBound <= frames {
            var out = [Int?](repeating: nil, count: frames)
            for (i, t) in speech.enumerated() { out[t] = i * count / speech.count }
            return out
        }
        let units = count + 2
        guard frames >= units else {
            throw AlignError.transcriptTooLong(utterance: utterance, frames: frames, minimumFrames: units)
        }
        return (0..<frames).map { t in
            let u = t * units / frames
            return u == 0 || u == units - 1 ? nil : u - 1
        }
    }
}
