extension ReferenceAlignment {
    /// Builds the segmentation from flite's Segment relation.
    ///
    /// flite's segment times need no repair (see `FliteSynthesizer`): a segment runs from the
    /// previous one's `end` (0 for the first) to its own, rounded to the nearest sample and moved
    /// by `leadSamples`. `pau` and the added edge silence become SIL; adjacent silences merge and
    /// silences shorter than `minimumSilence` join the following phone, as in the eSpeak sets.
    /// Every other phone belongs to the word flite spoke it in, and the words' phones come in
    /// sentence order.
    /// - Parameters:
    ///   - synthesis: flite's output; only its tokens, segments and sample rate are read.
    ///   - leadSamples: silence added before flite's output, in samples at `synthesis.sampleRate`.
    ///   - sampleCount: length of the padded audio; the last segment is extended to it.
    ///   - words: the sentence's words.
    ///   - utterance: for error messages.
    ///   - minimumSilence: in samples at `synthesis.sampleRate`.
    /// - Throws: `SyntheticCorpusError.fliteTokensDiffer` when flite read other tokens than `words`,
    ///   `.unmappedFlitePhone`, `.flitePhoneOutsideWords`, `.flitePauseInsideWord`,
    ///   `.fliteWordsOutOfOrder`, `.wordWithoutPhones`.
    public init(flite synthesis: FliteSynthesis, leadSamples: Int, sampleCount n: Int, words: [String], utterance: String,
                minimumSilence: Int) throws {
        guard synthesis.tokens.map({ $0.lowercased() }) == words.map({ $0.lowercased() }) else {
            throw SyntheticCorpusError.fliteTokensDiffer(utterance: utterance, expected: words, found: synthesis.tokens)
        }
        struct Segment: SilenceSegment { var phone: String; var silence: Bool; var start: Int; var end: Int; var word: Int? }
        var segments = [Segment(phone: "SIL", silence: true, start: 0, end: min(leadSamples, n), word: nil)]
        var previousWord: Int?
        var pausedSincePreviousPhone = false
        for item in synthesis.segments {
            let wordName = item.word.map { $0 < words.count ? words[$0] : "?" }
            let mapping = try FlitePhoneTable.mapping(of: item.phone, utterance: utterance, word: wordName)
            let start = segments[segments.count - 1].end
            let end = min(n, max(start, leadSamples + Int((item.endSeconds * Double(synthesis.sampleRate)).rounded())))
            switch mapping {
            case .silence:
                if let wordName { throw SyntheticCorpusError.flitePauseInsideWord(utterance: utterance, word: wordName) }
                segments.append(Segment(phone: "SIL", silence: true, start: start, end: end, word: nil))
                pausedSincePreviousPhone = true
            case let .phone(phone):
                guard let word = item.word, word < words.count else {
                    throw SyntheticCorpusError.flitePhoneOutsideWords(utterance: utterance, phone: item.phone)
                }
                if let previousWord {
                    guard word >= previousWord else {
                        throw SyntheticCorpusError.fliteWordsOutOfOrder(utterance: utterance, word: words[word], after: words[previousWord])
                    }
                    guard word > previousWord || !pausedSincePreviousPhone else {
                        throw SyntheticCorpusError.flitePauseInsideWord(utterance: utterance, word: words[word])
                    }
                }
                previousWord = word
                pausedSincePreviousPhone = false
                segments.append(Segment(phone: phone, silence: false, start: start, end: end, word: word))
            }
        }
        segments.append(Segment(phone: "SIL", silence: true, start: segments[segments.count - 1].end, end: n, word: nil))

        // Empty segments go (a phone's is counted as merged), adjacent silences merge, short ones join the next phone.
        var merged = [String: Int]()
        for k in segments.indices.reversed() where segments[k].end <= segments[k].start {
            if !segments[k].silence { merged[segments[k].phone, default: 0] += 1 }
            segments.remove(at: k)
        }
        segments.mergeSilences(minimum: minimumSilence)

        var phones = [TimedLabel]()
        var pronunciations = [[String]](repeating: [], count: words.count)
        var wordSpans = [Int: (start: Int, end: Int)]()
        for segment in segments {
            phones.append(TimedLabel(label: segment.phone, start: segment.start, end: segment.end))
            if let w = segment.word {
                pronunciations[w].append(segment.phone)
                wordSpans[w] = (wordSpans[w]?.start ?? segment.start, segment.end)
            }
        }
        self.phones = phones
        self.words = try Self.wordTier(words: words, spans: wordSpans, pronunciations: pronunciations, sampleCount: n, utterance: utterance)
        self.pronunciations = pronunciations
        self.mergedPhones = merged
    }
}
