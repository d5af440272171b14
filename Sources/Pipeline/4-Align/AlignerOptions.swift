import Transcription

/// How transcripts are aligned to frames: the alignment graph's topology and the scores Viterbi
/// uses. The same settings serve `parrot align`, `train`'s re-alignment rounds and
/// `train-refiner`, and travel to launched re-alignment jobs as JSON.
public struct AlignerOptions: Codable, Equatable, Sendable {
    /// Frames each phone lasts at least (a chain of states sharing one output). Default 3 (30 ms at 10 ms).
    public var minimumDuration = 3
    /// Frames a silence between words lasts at least; nil for `minimumDuration`. Default 10
    /// (100 ms at 10 ms): a shorter pause is a word-initial stop's closure far more often than
    /// a pause, and with 30 ms the built-in corpus' test voices had 419 such false pauses.
    public var minimumPause: Int? = 10
    /// Weight of the log-prior subtracted from the log-posteriors (hybrid "scaled likelihoods":
    /// p(x|s) ∝ p(s|x) / p(s)); 0 uses posteriors as they are. Default 1. It applies only where
    /// the aligner has priors (`ForcedAligner.logPriors`).
    public var priorScale: Float = 1
    /// Allow silence at both ends and between words. Default true.
    public var optionalSilence = true
    /// Words missing from the lexicon: leave the utterance out (`skip`) or align them as spoken
    /// noise (`spn`). Default `skip`.
    public var oovMode = OOVMode.skip
    /// Place each boundary between the two frames' centres where their classes' scores cross
    /// (`UtteranceAlignment.boundaryShifts`); false keeps every boundary on the frame grid,
    /// halfway between the centres, as Kaldi and MFA place them. Default true.
    public var subframeBoundaries = true
    /// Log-score a path pays for a word's second or later pronunciation in the lexicon
    /// (`AlignmentGraph`'s `variantCost`); 0 weighs every pronunciation alike, as Kaldi and MFA
    /// do without pronunciation probabilities. Default 0.
    public var variantCost: Float = 0

    public init() {}
}
