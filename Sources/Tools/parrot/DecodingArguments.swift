import Acoustic
import ArgumentParser
import Decode

/// The search and scoring settings of `decode`; builds the library's `DecodingOptions`.
struct DecodingArguments: ParsableArguments {
    @Option(help: "Weight of the grammar or language model's log-probabilities. Default 1; 0.5 for a CTC model (its sequence probabilities are sharper).")
    var lmWeight: Float?

    @Option(help: "Score subtracted per word (or phone) output; raise it against insertions. Default 0; -2 for a CTC model (a bonus per word: its search otherwise drops phones).")
    var wordInsertionPenalty: Float?

    @Option(help: "Search beam (log-score below the frame's best that survives).")
    var beam: Float = 16

    @Option(help: "Searches: factor on the network's log-scores before the grammar or language model's are added (Kaldi's --acoustic-scale). Default 0.5 for a framewise model's word search (--mode lexicon: a word's score sums many frames', a phone's few), else 1.")
    var acousticScale: Float?

    @Option(help: "Most tokens kept per frame.")
    var maxActive = 7000

    @Option(help: "CTC models: prefixes kept per frame by the prefix beam search (--phone-lm, --mode lexicon).")
    var ctcBeam = 16

    @Option(help: "Frames each phone lasts at least.")
    var minDuration = 3

    @Option(help: "Weight of the log-prior subtracted from log-posteriors in searches (uses MODEL_DIR/priors.txt).")
    var priorScale: Float = 0

    @Option(help: ArgumentHelp("Lexicon mode: drop words whose loudest frame is more than DB below the utterance's loudest word, taking them for background sound (0: keep every word). Default: 20 for a framewise model in a word loop (no --grammar), else off.", valueName: "DB"))
    var dropQuietWords: Float?

    /// --drop-quiet-words for a framewise model in a word loop when not given: far below any word
    /// of read speech (the yesno training recordings' words all peak within 8.4 dB of their
    /// loudest). A grammar's sentences stay whole: dropping a word could leave one it lacks.
    static let defaultQuietWordDecibels: Float = 20

    func validate() throws {
        guard ctcBeam >= 1 else { throw ValidationError("--ctc-beam must be at least 1") }
        guard minDuration >= 1, maxActive >= 1, beam > 0 else { throw ValidationError("--min-duration and --max-active must be at least 1, --beam positive") }
        guard acousticScale ?? 1 > 0, acousticScale?.isFinite ?? true else { throw ValidationError("--acoustic-scale must be positive") }
        guard priorScale >= 0, priorScale.isFinite else { throw ValidationError("--prior-scale must be 0 or more") }
        guard dropQuietWords ?? 0 >= 0, dropQuietWords?.isFinite ?? true else { throw ValidationError("--drop-quiet-words takes decibels, 0 or more") }
    }

    /// The library's options for a model trained with `criterion`, searching `words` (lexicon
    /// mode) or phones (the language-model weight and insertion penalty have a default for each
    /// criterion; on the built-in corpus's development voices a CTC model's phone error rate with
    /// its phone bigram was 4.66% at 0.5 and −2, 7.99% at 1 and 0).
    func options(for criterion: TrainingCriterion, grammar: Bool, words: Bool) -> DecodingOptions {
        let ctc = criterion == .ctc
        var options = DecodingOptions()
        options.search.beam = beam
        options.search.maxActive = maxActive
        options.search.lmWeight = lmWeight ?? (ctc ? 0.5 : 1)
        options.search.wordInsertionPenalty = wordInsertionPenalty ?? (ctc ? -2 : 0)
        options.search.minimumDuration = minDuration
        options.acousticScale = acousticScale ?? DecodingOptions.defaultAcousticScale(criterion: criterion, words: words)
        options.priorScale = priorScale
        let quiet = dropQuietWords ?? (ctc || grammar ? 0 : Self.defaultQuietWordDecibels)
        options.quietWordDecibels = quiet > 0 ? quiet : nil
        return options
    }
}
