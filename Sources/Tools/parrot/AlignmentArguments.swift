import Align
import ArgumentParser
import KaldiIO
import Transcription

extension OOVMode: ExpressibleByArgument {}

/// How transcripts are aligned, shared by `align`, `train` and `train-refiner`; builds the
/// library's `AlignerOptions`.
struct AlignmentArguments: ParsableArguments {
    @Option(help: "Frames each phone lasts at least in alignments.")
    var minDuration = 3

    @Option(help: "Frames a silence between two words lasts at least. A long minimum keeps a word-initial stop's closure in the stop instead of taking it for a pause.")
    var minPause = 10

    @Option(help: "Weight of the class log-prior subtracted from the log-posteriors when aligning (0: none). align and train-refiner take the priors from priors.txt beside the model (a model without one is aligned without priors, unless this option is given); train from each round's alignment (a starting model's first alignment uses none). Default: 1 in align and train-refiner, 0 in train's re-alignments.")
    var priorScale: Float?

    @Option(help: "Words not in the lexicon: skip (leave the utterance out and report it), spn (align them to spoken noise) or g2p (pronounce them with eSpeak NG, in the built-in corpus's ARPAbet phones; every generated pronunciation is listed in the output directory's g2p.txt). Default: g2p with the lexicon 'english', else skip.")
    var oov: OOVMode?

    @Option(help: "Log-score an alignment pays for taking a word's second or later pronunciation in the lexicon (0: all pronunciations alike). Default 0.")
    var variantCost: Float?

    @Flag(help: "align and train-refiner: keep every boundary on the frame grid (halfway between the centres of the frames on either side, as Kaldi and MFA place them) instead of where the scores of the two phones cross between those centres.")
    var frameGrid = false

    func validate() throws {
        guard minDuration >= 1 else { throw ValidationError("--min-duration must be at least 1") }
        if minPause < 1 { throw ValidationError("--min-pause must be at least 1") }
        if let priorScale, !priorScale.isFinite || priorScale < 0 { throw ValidationError("--prior-scale must be 0 or more") }
        if let variantCost, !variantCost.isFinite || variantCost < 0 { throw ValidationError("--variant-cost must be 0 or more") }
    }

    /// The library's options for a lexicon given as `lexicon` (the built-in `english` pronounces
    /// missing words unless `--oov` says otherwise).
    /// `base` gives what the command line leaves unset (`train` passes its re-alignments' own).
    func options(lexicon: LexiconName, base: AlignerOptions = AlignerOptions()) -> AlignerOptions {
        var options = base
        options.minimumDuration = minDuration
        options.minimumPause = minPause
        if let priorScale { options.priorScale = priorScale }
        if let variantCost { options.variantCost = variantCost }
        options.oovMode = oov ?? (lexicon.isBuiltIn ? .g2p : .skip)
        options.subframeBoundaries = !frameGrid
        return options
    }

    /// `lexicon` (read from `name`) as the aligner uses it for `transcripts`: with `--oov g2p`
    /// completed by eSpeak NG (see `PronunciationFallback`, which lists the generated words in
    /// `directory`), else as it is; with the file it is in, for launched jobs.
    func completing(_ lexicon: Lexicon, named name: LexiconName, transcripts: PackedTable, directory: String, command: String) throws -> (lexicon: Lexicon, path: String) {
        guard options(lexicon: name).oovMode == .g2p else { return (lexicon, name.path) }
        return try PronunciationFallback.complete(lexicon, transcripts: transcripts, directory: directory, command: command)
    }
}
