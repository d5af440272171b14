import Acoustic

/// How `parrot decode` turns log-posteriors into hypotheses, besides the mode and its word or
/// phone model: the beam search's settings and how the network's scores enter it.
public struct DecodingOptions: Codable, Equatable, Sendable {
    /// The beam search (lexicon mode, and greedy mode with a phone n-gram).
    public var search = SearchOptions()
    /// Searches: factor on the network's log-scores before the grammar's or language model's
    /// log-probabilities and the insertion penalty are added (Kaldi's `--acoustic-scale`). Default 1.
    public var acousticScale: Float = 1
    /// Searches: weight of the class log-prior subtracted from the log-posteriors (hybrid "scaled
    /// likelihoods"). Default 0.
    public var priorScale: Float = 0
    /// Word searches: words whose loudest frame is this many dB below the utterance's loudest
    /// word are dropped as background sound. Nil: every word is kept.
    public var quietWordDecibels: Float?

    public init() {}
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
