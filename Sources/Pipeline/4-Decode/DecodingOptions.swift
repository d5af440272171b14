import Acoustic

/// How `parrot decode` turns log-posteriors into hypotheses, besides the mode and its word or
/// phone model: the beam search's settings and how the network's scores enter it.
public struct DecodingOptions: Codable, Equatable, Sendable {
    /// The beam search (lexicon mode, and greedy mode with a phone n-gram).
    public var search = SearchOptions()
    /// Searches: factor on the network's log-scores before the grammar's or language model's
    /// log-probabilities and the insertion penalty are added (Kaldi's `--acoustic-scale`). Default 1;
    /// `parrot decode` sets `defaultAcousticScale(criterion:words:)`.
    public var acousticScale: Float = 1
    /// Searches: weight of the class log-prior subtracted from the log-posteriors (hybrid "scaled
    /// likelihoods"). Default 0.
    public var priorScale: Float = 0
    /// Word searches: words whose loudest frame is this many dB below the utterance's loudest
    /// word are dropped as background sound. Nil: every word is kept.
    public var quietWordDecibels: Float?

    public init() {}

    /// The acoustic scale a search starts from: 0.5 for a framewise model's word search, else 1.
    ///
    /// A word's score sums some thirty frames' log-scores against one language-model or grammar
    /// term; a phone's sums a few. On the built-in corpus's development voices (models of 600 and
    /// 1,600 utterances) the word search gave %WER 0.93 and 0.52 at 0.5 with a word bigram (1.86
    /// and 0.67 at 1, 0.88 and 0.57 at 0.3, 2.73 and 0.98 at 0.1) and 1.55 and 0.72 in a word loop
    /// (1.96 and 0.93 at 1); the phone bigram's search was best at 1 (%PER 2.95 and 1.88 against
    /// 3.21 and 2.11 at 0.5). A CTC model's searches keep 1 and their own language-model weight.
    public static func defaultAcousticScale(criterion: TrainingCriterion, words: Bool) -> Float {
        words && criterion == .framewise ? 0.5 : 1
    }
}

extension Recognizer {
    /// A recognizer with `options`' scales and quiet-word gate (the search options belong to the
    /// mode's decoder); `logPriors` are needed when `options.priorScale` is not 0.
    public init(model: AcousticModel, mode: Mode, options: DecodingOptions, logPriors: [Float]? = nil) {
        self.init(model: model, mode: mode)
        acousticScale = options.acousticScale
        priorScale = options.priorScale
        self.logPriors = logPriors
        quietWordGate = options.quietWordDecibels.map { QuietWordGate(decibelsBelowLoudest: $0) }
    }
}
