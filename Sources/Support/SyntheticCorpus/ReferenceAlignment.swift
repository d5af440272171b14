import KaldiIO
/// One event from the synthesizer, in order: a word starting or a phoneme starting, at a sample.
public enum SynthesisEvent: Equatable, Sendable {
    /// Word `index` (0-based, in the sentence) starts.
    case word(index: Int, sample: Int)
    /// eSpeak phoneme `mnemonic` starts.
    case phoneme(mnemonic: String, sample: Int)
}

/// A labelled time interval, in samples of the synthesizer's output.
public struct TimedLabel: Equatable, Sendable {
    public var label: String
    public var start: Int
    public var end: Int
}

/// Reference phone and word segmentation of one synthesized utterance.
public struct ReferenceAlignment: Equatable, Sendable {
    /// Phones (ARPAbet or SIL) tiling `[0, sampleCount)`.
    public var phones: [TimedLabel]
    /// Words and SIL tiling `[0, sampleCount)`.
    public var words: [TimedLabel]
    /// Each word's phones, in sentence order (its pronunciation as synthesized).
    public var pronunciations: [[String]]
    /// Phones that ended up with no samples of their own and were merged away, by phone (e.g. an
    /// `L` between a vowel and a stop whose whole extent was the stop's closure).
    public var mergedPhones: [String: Int]

    /// Builds the segmentation from eSpeak's events and the audio, repairing eSpeak's timing:
    /// 1. `;` markers join the following phone; segments run from one phoneme event to the next.
    /// 2. A stop's closure (the run of exact-zero samples, ≥ `minimumClosure`, just before its event)
    ///    moves into the stop; a phone left with no samples is merged away and counted.
    /// 3. Silences shorter than `minimumSilence` samples join the following phone (the preceding
    ///    one at the end); adjacent silences merge.
    /// 4. Two-phone events (`A@` → AA R) are split.
    /// - Parameters:
    ///   - events: the synthesizer's word and phoneme events, in order.
    ///   - samples: the audio (any scale; only exact zeros matter).
    ///   - words: the sentence's words.
    ///   - utterance: for error messages.
    ///   - inventory: the phones to write (ARPAbet, or eSpeak's own for another language).
    /// - Throws: `SyntheticCorpusError` for unmapped phonemes or words left without phones.
    public init(events: [SynthesisEvent], samples: [Int16], words: [String], utterance: String,
                minimumSilence: Int, minimumClosure: Int, inventory: PhoneInventory = .arpabet) throws {
        let n = samples.count
        // 1. Raw segments between phoneme events, each tagged with the word it was spoken in.
        struct Segment: SilenceSegment { var phones: [String]; var silence: Bool; var start: Int; var end: Int; var word: Int? }
        var segments = [Segment]()
        var currentWord: Int?
        var pendingJoin: Int?   // start of a `;` marker waiting for the next phone
        var raw = [(mnemonic: String, sample: Int, word: Int?)]()
        for event in events {
            switch event {
            case let .word(index, _): currentWord = index
            case let .phoneme(mnemonic, sample): raw.append((mnemonic, min(max(sample, 0), n), currentWord))
            }
        }
        for (i, event) in raw.enumerated() {
            let end = i + 1 < raw.count ? raw[i + 1].sample : n
            let wordName = event.word.map { $0 < words.count ? words[$0] : "?" }
            switch try inventory.mapping(of: event.mnemonic, utterance: utterance, word: wordName) {
            case .joinsNext:
                pendingJoin = pendingJoin ?? event.sample
                continue
            case .silence:
                segments.append(Segment(phones: ["SIL"], silence: true, start: pendingJoin ?? event.sample, end: end, word: nil))
            case let .phones(phones):
                segments.append(Segment(phones: phones, silence: false, start: pendingJoin ?? event.sample, end: end, word: event.word))
            }
            pendingJoin = nil
        }
        segments.removeAll { $0.end <= $0.start && $0.silence }
        if let first = segments.first, first.start > 0 {
            segments.insert(Segment(phones: ["SIL"], silence: true, start: 0, end: first.start, word: nil), at: 0)
        }
        if let last = segments.indices.last { segments[last].end = n }

        // 2. Stop closures.
        var merged = [String: Int]()
        var i = 1
        while i < segments.count {
            defer { i += 1 }
            guard !segments[i].silence, let phone = segments[i].phones.first, inventory.isStop(phone) else { continue }
            var closureStart = segments[i].start
            while closureStart > 0 && samples[closureStart - 1] == 0 { closureStart -= 1 }
            guard segments[i].start - closureStart >= minimumClosure else { continue }
            // Take the zeros from the phones before the stop, never from a silence.
            var j = i - 1
            while j >= 0 && !segments[j].silence && segments[j].end > closureStart {
                if segments[j].start >= closureStart {
                    for p in segments[j].phones { merged[p, default: 0] += 1 }
                    segments.remove(at: j)
                    i -= 1
                } else {
                    segments[j].end = closureStart
                }
                j -= 1
            }
            let newStart = j >= 0 ? segments[j].end : 0
            segments[i].start = max(closureStart, newStart)
            if j >= 0 && segments[j].silence { segments[i].start = segments[j].end }
        }
        // Zero-length phones left by eSpeak itself are merged away too.
        for k in segments.indices.reversed() where segments[k].end <= segments[k].start && !segments[k].silence {
            for p in segments[k].phones { merged[p, default: 0] += 1 }
            segments.remove(at: k)
        }

        // 3. Silences: merge neighbours, give short ones to the next phone.
        segments.mergeSilences(minimum: minimumSilence)
        // Re-tile exactly (repairs may leave hairline gaps between neighbours).
        for k in segments.indices {
            segments[k].start = k == 0 ? 0 : segments[k - 1].end
        }
        if let last = segments.indices.last { segments[last].end = n }

        // 4. Split two-phone segments; collect words.
        var phones = [TimedLabel]()
        var pronunciations = [[String]](repeating: [], count: words.count)
        var wordSpans = [Int: (start: Int, end: Int)]()
        for segment in segments {
            if segment.phones.count == 2 {
                let cut = segment.start + Int((Double(segment.end - segment.start) * EspeakPhoneTable.splitFraction).rounded())
                phones.append(TimedLabel(label: segment.phones[0], start: segment.start, end: cut))
                phones.append(TimedLabel(label: segment.phones[1], start: cut, end: segment.end))
            } else {
                phones.append(TimedLabel(label: segment.phones[0], start: segment.start, end: segment.end))
            }
            if let w = segment.word, !segment.silence, w < words.count {
                pronunciations[w] += segment.phones
                let span = wordSpans[w]
                wordSpans[w] = (min(span?.start ?? segment.start, segment.start), max(span?.end ?? segment.end, segment.end))
            }
        }
        self.phones = phones
        self.words = try Self.wordTier(words: words, spans: wordSpans, pronunciations: pronunciations, sampleCount: n, utterance: utterance)
        self.pronunciations = pronunciations
        self.mergedPhones = merged
    }

    /// Words (uppercase) and SIL tiling `[0, sampleCount)`: each word from its first phone's start
    /// to its last phone's end, SIL wherever no word is.
    /// - Parameters:
    ///   - spans: word index → first and last sample of its phones.
    /// - Throws: `SyntheticCorpusError.wordWithoutPhones` for a word with no span or no phones.
    static func wordTier(words: [String], spans: [Int: (start: Int, end: Int)], pronunciations: [[String]],
                         sampleCount: Int, utterance: String) throws -> [TimedLabel] {
        var wordLabels = [TimedLabel]()
        var cursor = 0
        for (w, word) in words.enumerated() {
            guard let span = spans[w], !pronunciations[w].isEmpty else {
                throw SyntheticCorpusError.wordWithoutPhones(utterance: utterance, word: word)
            }
            if span.start > cursor { wordLabels.append(TimedLabel(label: "SIL", start: cursor, end: span.start)) }
            wordLabels.append(TimedLabel(label: word.uppercased(), start: max(span.start, cursor), end: span.end))
            cursor = span.end
        }
        if cursor < sampleCount { wordLabels.append(TimedLabel(label: "SIL", start: cursor, end: sampleCount)) }
        return wordLabels
    }
}

/// A stretch of samples of a reference alignment: silence or a phone.
protocol SilenceSegment {
    var silence: Bool { get }
    var start: Int { get set }
    var end: Int { get set }
}

extension Array where Element: SilenceSegment {
    /// Merges neighbouring silences, then gives a silence shorter than `minimum` samples to the
    /// following phone (the last one to the phone before it).
    mutating func mergeSilences(minimum: Int) {
        var k = 1
        while k < count {
            if self[k].silence && self[k - 1].silence {
                self[k - 1].end = self[k].end
                remove(at: k)
            } else { k += 1 }
        }
        k = 0
        while k < count {
            if self[k].silence && self[k].end - self[k].start < minimum && count > 1 {
                if k + 1 < count { self[k + 1].start = self[k].start } else { self[k - 1].end = self[k].end }
                remove(at: k)
            } else { k += 1 }
        }
    }
}
