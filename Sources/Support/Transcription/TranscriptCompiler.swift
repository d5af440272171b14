/// What to do with words missing from the lexicon.
public enum OOVMode: String, Codable, CaseIterable, Sendable {
    /// Leave the utterance out (it is reported in `oovs.txt`).
    case skip
    /// Align each unknown word to the spoken-noise phone `SPN`.
    case spn
    /// Pronounce unknown words with eSpeak NG before aligning (`parrot --oov g2p` adds them to
    /// the lexicon); a word still unknown leaves its utterance out, as `skip` does.
    case g2p
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
        if !oovs.isEmpty && (oovMode != .spn || index[Lexicon.spokenNoise] == nil) {
            throw AlignError.outOfVocabulary(utterance: utterance, words: oovs)
        }
        return CompiledTranscript(words: words, pronunciations: pronunciations, outOfVocabulary: oovs)
    }

    /// Kaldi-style equal alignment for a flat start: silence, each word's first pronunciation,
    /// silence, spread uniformly over `frames` frames. With `speech` (the stretches that sound
    /// like speech, see `SpeechRegion.segments`), frames outside them are silence: the words are
    /// shared out among the stretches (a pause between stretches either separates words or, when
    /// that fits the phone counts better, is absorbed into a word) and each group's phones spread
    /// uniformly over its frames.
    /// - Returns: the class of every frame.
    /// - Throws: `AlignError.transcriptTooLong` when there are fewer frames than phones.
    public func flatStart(_ transcript: CompiledTranscript, frames: Int, utterance: String, speech: [Range<Int>]? = nil) throws -> [Int32] {
        let phones = transcript.pronunciations.flatMap { $0[0] }
        return try flatStartPositions(transcript, frames: frames, utterance: utterance, speech: speech)
            .map { Int32($0.map { phones[$0] } ?? silence) }
    }

    /// The flat start as phone positions: for every frame, the index of its phone in the
    /// concatenated first pronunciations, or nil for silence.
    public func flatStartPositions(_ transcript: CompiledTranscript, frames: Int, utterance: String, speech: [Range<Int>]? = nil) throws -> [Int?] {
        let counts = transcript.pronunciations.map { $0[0].count }
        let count = counts.reduce(0, +)
        if let speech, !speech.isEmpty, speech.last!.upperBound <= frames,
           speech.count > 1 || speech[0].lowerBound > 0 || speech[0].upperBound < frames,
           let groups = TranscriptCompiler.wordGroups(speech, phoneCounts: counts) {
            var out = [Int?](repeating: nil, count: frames)
            var firstPhone = 0
            for group in groups {
                let span = group.frames, phonesInGroup = counts[group.words].reduce(0, +)
                for (i, t) in span.enumerated() { out[t] = firstPhone + i * phonesInGroup / span.count }
                firstPhone += phonesInGroup
            }
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

    /// Shares words out among speech stretches by dynamic programming: consecutive stretches
    /// (pauses between them absorbed) take consecutive words, minimising the squared difference
    /// between each group's speech frames and its phones' share of all speech frames (relative
    /// to that share), plus a cost per absorbed pause frame; a stretch may also be left as
    /// silence (noise), at a cost per frame. Nil when no grouping gives every phone a frame.
    static func wordGroups(_ speech: [Range<Int>], phoneCounts: [Int]) -> [(frames: Range<Int>, words: Range<Int>)]? {
        let m = speech.count, n = phoneCounts.count
        let maximumSpan = 8
        let totalSpeech = Double(speech.reduce(0) { $0 + $1.count })
        let rate = totalSpeech / Double(max(1, phoneCounts.reduce(0, +)))
        let absorbedPauseCost = 0.1, skippedSpeechCost = 0.3
        var phonePrefix = [0]
        for c in phoneCounts { phonePrefix.append(phonePrefix.last! + c) }
        var speechPrefix = [0]
        for s in speech { speechPrefix.append(speechPrefix.last! + s.count) }
        // best[i][j]: cost of covering stretches ..<i with words ..<j; from[i][j] its last group's start.
        var best = [[Double]](repeating: [Double](repeating: .infinity, count: n + 1), count: m + 1)
        var from = [[(Int, Int)]](repeating: [(Int, Int)](repeating: (0, 0), count: n + 1), count: m + 1)
        best[0][0] = 0
        for i in 0..<m {
            for j in 0...n where best[i][j] < .infinity {
                let skipped = best[i][j] + skippedSpeechCost * Double(speech[i].count)
                if skipped < best[i + 1][j] {
                    best[i + 1][j] = skipped
                    from[i + 1][j] = (i, j)
                }
                guard j < n else { continue }
                for i2 in (i + 1)...min(m, i + maximumSpan) {
                    let spanFrames = speech[i2 - 1].upperBound - speech[i].lowerBound
                    let speechFrames = Double(speechPrefix[i2] - speechPrefix[i])
                    for j2 in (j + 1)...min(n, j + maximumSpan) {
                        let phones = phonePrefix[j2] - phonePrefix[j]
                        guard phones <= spanFrames else { break }
                        let expected = rate * Double(phones)
                        let pauseFrames = Double(spanFrames) - speechFrames
                        let cost = best[i][j] + (speechFrames - expected) * (speechFrames - expected) / expected + absorbedPauseCost * pauseFrames
                        if cost < best[i2][j2] {
                            best[i2][j2] = cost
                            from[i2][j2] = (i, j)
                        }
                    }
                }
            }
        }
        guard best[m][n] < .infinity else { return nil }
        var groups = [(frames: Range<Int>, words: Range<Int>)]()
        var (i, j) = (m, n)
        while i > 0 {
            let (pi, pj) = from[i][j]
            if pj < j { groups.append((speech[pi].lowerBound..<speech[i - 1].upperBound, pj..<j)) }
            (i, j) = (pi, pj)
        }
        return groups.reversed()
    }
}
