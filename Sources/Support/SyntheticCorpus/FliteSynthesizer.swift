import CFlite

/// A flite voice the corpus's flite test set uses: CMU ARCTIC speakers as flite's clustergen voices.
public enum FliteVoice: String, Codable, CaseIterable, Sendable {
    /// `cmu_us_awb`: a Scottish English male speaker.
    case awb
    /// `cmu_us_rms`: an American English male speaker.
    case rms
}

/// One segment of flite's Segment relation: a phone of its US English phone set (lowercase CMU,
/// `pau` for a pause) and when it ends.
public struct FliteSegment: Equatable, Sendable {
    /// flite's phone name, e.g. `ax`, `pau`.
    public var phone: String
    /// End time in seconds from the start of flite's output (the segment's `end` feature).
    public var endSeconds: Double
    /// The sentence word (0-based) the phone is spoken in, found through the SylStructure and
    /// Token relations; `nil` for a pause.
    public var word: Int?

    public init(phone: String, endSeconds: Double, word: Int?) {
        self.phone = phone
        self.endSeconds = endSeconds
        self.word = word
    }
}

/// One sentence synthesized by flite: 16-bit mono samples at `sampleRate`, its segments in
/// order, and the tokens it read (the sentence's words, punctuation removed).
public struct FliteSynthesis: Sendable {
    public var samples: [Int16]
    public var sampleRate: Int
    public var segments: [FliteSegment]
    public var tokens: [String]
}

/// English speech from flite with segment timing. This is the only file that touches libflite.
///
/// flite's voices are clustergen voices: a segment's `end` is the sum of its HMM states' predicted
/// durations, and the vocoder moves from one 5 ms frame's parameters to the next over the samples
/// between them, so a segment's `end` lies within half a frame of the middle of the acoustic
/// change it marks. flite keeps state from one synthesis to the next (its excitation noise comes
/// from `rand()`: the same sentence spoken twice in one process differs), and its voice list is
/// global: a process has one synthesizer, used from one thread, and the corpus maker synthesizes
/// each utterance in a child process forked from the one that made it.
public final class FliteSynthesizer {
    private let awb: UnsafeMutablePointer<cst_voice>
    private let rms: UnsafeMutablePointer<cst_voice>

    /// Initialises flite and registers the awb and rms voices.
    /// - Throws: `SyntheticCorpusError.fliteUnavailable`.
    public init() throws {
        flite_init()
        guard let awb = register_cmu_us_awb(nil) else { throw SyntheticCorpusError.fliteUnavailable(reason: "register_cmu_us_awb failed") }
        guard let rms = register_cmu_us_rms(nil) else {
            unregister_cmu_us_awb(awb)
            throw SyntheticCorpusError.fliteUnavailable(reason: "register_cmu_us_rms failed")
        }
        self.awb = awb
        self.rms = rms
    }

    deinit {
        unregister_cmu_us_awb(awb)
        unregister_cmu_us_rms(rms)
    }

    /// Speaks `words` (joined by spaces, ending with a full stop) in `voice`.
    /// - Parameter utterance: for error messages.
    /// - Throws: `SyntheticCorpusError.fliteUnavailable` if flite returns no utterance or wave.
    public func synthesize(words: [String], voice: FliteVoice, utterance: String) throws -> FliteSynthesis {
        let text = words.joined(separator: " ") + "."
        guard let synthesized = flite_synth_text(text, voice == .awb ? awb : rms) else {
            throw SyntheticCorpusError.fliteUnavailable(reason: "utterance \(utterance): flite_synth_text returned nothing")
        }
        defer { delete_utterance(synthesized) }
        guard let wave = utt_wave(synthesized), wave.pointee.num_channels == 1, let samples = wave.pointee.samples else {
            throw SyntheticCorpusError.fliteUnavailable(reason: "utterance \(utterance): flite made no mono wave")
        }

        // Tokens in order; a word item's parent in the Token relation is its token.
        var tokens = [String]()
        var tokenIndex = [UnsafeMutablePointer<cst_item_contents>: Int]()
        var token = relation_head(utt_relation(synthesized, "Token"))
        while let item = token {
            tokenIndex[item.pointee.contents] = tokens.count
            tokens.append(String(cString: item_feat_string(item, "name")))
            token = item_next(item)
        }

        var segments = [FliteSegment]()
        var segment = relation_head(utt_relation(synthesized, "Segment"))
        while let item = segment {
            guard item_feat_present(item, "end") != 0 else {
                throw SyntheticCorpusError.fliteUnavailable(reason: "utterance \(utterance): a segment has no end time")
            }
            // Segment → syllable → word in SylStructure, then the word's token.
            var word: Int?
            if let inSyllable = item_as(item, "SylStructure"), let syllable = item_parent(inSyllable), let spoken = item_parent(syllable),
               let inToken = item_as(spoken, "Token"), let owner = item_parent(inToken) {
                word = tokenIndex[owner.pointee.contents]
            }
            segments.append(FliteSegment(phone: String(cString: item_feat_string(item, "name")),
                                         endSeconds: Double(item_feat_float(item, "end")), word: word))
            segment = item_next(item)
        }
        return FliteSynthesis(samples: Array(UnsafeBufferPointer(start: samples, count: Int(wave.pointee.num_samples))),
                              sampleRate: Int(wave.pointee.sample_rate), segments: segments, tokens: tokens)
    }
}
