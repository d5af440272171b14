import Acoustic
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// What one utterance decoded to.
public struct Recognition: Sendable {
    public var utterance: String
    public var frames: Int
    /// Words with their frames and confidences (empty in phone modes).
    public var words: [DecodedSegment]
    /// Phones, silence left out.
    public var phones: [DecodedSegment]
    /// The hypothesis: words, or phones in the phone modes.
    public var tokens: [String]
    /// Search score (nil for greedy decoding).
    public var score: Float?
}

/// Decodes utterances with an acoustic model: network → (scaled) scores → greedy merging or
/// beam search. After a search, the winning words are force-aligned to the same scores to give
/// every phone and word its frames.
public struct Recognizer {
    public enum Mode: Sendable {
        /// Most probable class per frame, runs merged (with a CTC model: and blanks dropped).
        case greedy
        /// Search over words (`phoneOutput` false) or over phones as one-phone words with a phone
        /// n-gram (`phoneOutput` true).
        case search(BeamSearchDecoder, phoneOutput: Bool)
        /// The same searches over a CTC model's outputs: prefix beam search, then the CTC
        /// alignment of the chosen pronunciations for the times.
        case ctcSearch(CTCPrefixSearch, phoneOutput: Bool)

        /// Whether the hypotheses are words (a search over a lexicon) rather than phones.
        public var isWordSearch: Bool {
            switch self {
            case .search(_, false), .ctcSearch(_, false): true
            default: false
            }
        }
    }

    /// (`decode`'s self-adaptation swaps in the adapted model and keeps the search.)
    public var model: AcousticModel
    public let mode: Mode
    /// Weight of the subtracted log-prior (0: posteriors as they are).
    public var priorScale: Float = 0
    public var logPriors: [Float]?
    /// Searches: factor on the acoustic log-scores before the grammar or language model and the
    /// word insertion penalty are added (Kaldi's `--acoustic-scale`). A network's posteriors are
    /// sharper than a probability of the frames should be; scaled down, one badly matched frame no
    /// longer drops the right word out of the beam.
    public var acousticScale: Float = 1
    /// Class names left out of phone output. With a CTC model's blank among them, greedy merging
    /// is CTC's greedy decoding: a blank between two runs of a phone keeps them two phones.
    public var dropped: Set<String> = [Lexicon.silence, Lexicon.spokenNoise, CTC.blankLabel]
    /// Word searches: words this much quieter than the utterance's loudest word are dropped
    /// (their frames become silence). Nil: every word is kept. (Not applied to CTC searches.)
    public var quietWordGate: QuietWordGate?

    public init(model: AcousticModel, mode: Mode) {
        self.model = model
        self.mode = mode
    }

    /// Whether `recognize` uses per-frame levels (a quiet-word gate on a word search).
    public var usesFrameLevels: Bool {
        if quietWordGate != nil, case .search(_, false) = mode { return true }
        return false
    }

    /// Decodes one utterance's features.
    /// - Parameters:
    ///   - features: `frames × D`, CMVN applied (`FeatureSource.normalizedFeatures`).
    ///   - frameLevels: per-frame levels (dB) of the raw features for `quietWordGate` (`QuietWordGate.frameLevels`).
    /// - Throws: `DecodeError.noHypothesis` for an utterance without frames, `AcousticModelError`, search errors.
    public func recognize(_ utterance: String, features: Matrix, frameLevels: [Float]? = nil, workspace: NetworkWorkspace) throws -> Recognition {
        let logPosteriors = try model.logPosteriors(features, workspace: workspace)
        guard logPosteriors.rows > 0 else { throw DecodeError.noHypothesis(utterance: utterance, reason: "no feature frames") }
        return try recognize(utterance, logPosteriors: logPosteriors, frameLevels: frameLevels)
    }

    /// Decodes several utterances, their network log-posteriors computed in one batched pass (as
    /// `recognize(_:features:…)` does one at a time, with the same results): each utterance's
    /// features (`frames × D`, CMVN applied) or why they could not be read, and its frame levels
    /// for `quietWordGate`.
    /// - Returns: per utterance, in order, its recognition or why there is none.
    public func recognize(_ utterances: [(utterance: String, features: Result<Matrix, Error>, frameLevels: [Float]?)],
                          workspace: NetworkWorkspace) -> [Result<Recognition, Error>] {
        zip(utterances, model.logPosteriors(utterances.map(\.features), workspace: workspace)).map { item, scores in
            Result {
                let logPosteriors = try scores.get()
                guard logPosteriors.rows > 0 else { throw DecodeError.noHypothesis(utterance: item.utterance, reason: "no feature frames") }
                return try recognize(item.utterance, logPosteriors: logPosteriors, frameLevels: item.frameLevels)
            }
        }
    }

    /// Decodes one utterance's log-posteriors.
    /// - Parameter frameLevels: per-frame levels (dB) for `quietWordGate`; without them the gate is not applied.
    public func recognize(_ utterance: String, logPosteriors: Matrix, frameLevels: [Float]? = nil) throws -> Recognition {
        let labels = model.classLabels
        switch mode {
        case .greedy:
            let phones = GreedyDecoder.decode(logPosteriors, labels: labels, dropped: dropped)
            return Recognition(utterance: utterance, frames: logPosteriors.rows, words: [], phones: phones, tokens: phones.map(\.label), score: nil)
        case let .search(decoder, phoneOutput):
            var scores = AcousticModel.scaledLikelihoods(logPosteriors, logPriors: logPriors, priorScale: priorScale)
            if acousticScale != 1 { for i in scores.values.indices { scores.values[i] *= acousticScale } }
            var result = try decoder.decode(scores, utterance: utterance)
            var alignment = try realign(result, decoder: decoder, scores: scores, utterance: utterance)
            if let gate = quietWordGate, let frameLevels, !phoneOutput {
                let kept = gate.keptWords(alignment.words, levels: frameLevels)
                if kept.count < result.words.count {
                    result.pronunciations = kept.map { result.pronunciations[$0] }
                    result.words = kept.map { result.words[$0] }
                    result.wordEnds = kept.map { result.wordEnds[$0] }
                    alignment = try realign(result, decoder: decoder, scores: scores, utterance: utterance)
                }
            }
            let phones = alignment.phones.filter { !dropped.contains($0.label) }.map { segment($0, logPosteriors, alignment.frameClasses) }
            let words = phoneOutput ? [] : alignment.words.map { segment($0, logPosteriors, alignment.frameClasses) }
            return Recognition(utterance: utterance, frames: logPosteriors.rows, words: words, phones: phones,
                               tokens: result.words, score: result.score)
        case let .ctcSearch(search, phoneOutput):
            return try recognizeCTC(utterance, logPosteriors: logPosteriors, search: search, phoneOutput: phoneOutput)
        }
    }

    /// A CTC prefix search's words, with times from the CTC alignment of their pronunciations.
    private func recognizeCTC(_ utterance: String, logPosteriors: Matrix, search: CTCPrefixSearch, phoneOutput: Bool) throws -> Recognition {
        let labels = model.classLabels
        let result = try search.decode(logPosteriors, utterance: utterance)
        let pronunciations = result.pronunciations.map { search.tree.pronunciations[$0] }
        let phones = pronunciations.flatMap { $0 }.map(Int32.init)
        let silence = Int32(labels.firstIndex(of: Lexicon.silence) ?? search.blank)
        guard let path = CTC.forcedAlignment(logPosteriors, labels: phones, blank: search.blank) else {
            throw DecodeError.noHypothesis(utterance: utterance, reason: "the search's phones do not fit in its frames")
        }
        let wordOf = pronunciations.enumerated().flatMap { w, p in [Int](repeating: w, count: p.count) }
        let alignment = UtteranceAlignment(utterance: utterance, ctcPath: path, phones: phones, wordOf: wordOf, words: result.words, labels: labels,
                                           silence: silence, pauses: true, minimumPause: 0, score: Double(result.score))
        let phoneSegments = alignment.phones.filter { !dropped.contains($0.label) }.map { segment($0, logPosteriors, alignment.frameClasses) }
        let words = phoneOutput ? [] : alignment.words.map { segment($0, logPosteriors, alignment.frameClasses) }
        return Recognition(utterance: utterance, frames: logPosteriors.rows, words: words, phones: phoneSegments, tokens: result.words, score: result.score)
    }

    /// Frames of every phone and word of the search result: Viterbi through the chosen
    /// pronunciations with the search's topology.
    private func realign(_ result: SearchResult, decoder: BeamSearchDecoder, scores: Matrix, utterance: String) throws -> UtteranceAlignment {
        let labels = model.classLabels
        guard !result.pronunciations.isEmpty else {
            return UtteranceAlignment(utterance: utterance, frameClasses: [Int32](repeating: Int32(decoder.silence), count: scores.rows),
                                      phones: [AlignedSegment(label: labels[decoder.silence], start: 0, end: scores.rows)], words: [], score: Double(result.score))
        }
        let graph = AlignmentGraph(words: result.pronunciations.map { [decoder.tree.pronunciations[$0]] }, silence: decoder.silence,
                                   optionalSilence: decoder.options.optionalSilence, minimumDuration: decoder.options.minimumDuration)
        let path = try ViterbiAligner.align(graph, scores: scores, utterance: utterance)
        return UtteranceAlignment(utterance: utterance, path: path, graph: graph, words: result.words, labels: labels)
    }

    /// A segment with its confidence: the mean posterior of the frames' aligned classes.
    private func segment(_ s: AlignedSegment, _ logPosteriors: Matrix, _ classes: [Int32]) -> DecodedSegment {
        var sum: Float = 0
        for t in s.start..<s.end { sum += exp(logPosteriors[t, Int(classes[t])]) }
        return DecodedSegment(label: s.label, start: s.start, end: s.end, confidence: sum / Float(max(1, s.end - s.start)))
    }
}
