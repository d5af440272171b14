import Acoustic
import Align
import ArgumentParser
import Audio
import Core
import Corpus
import Decode
import Foundation
import KaldiIO
import Training
import Transcription

extension TrainingCriterion: ExpressibleByArgument {}
extension InitialAlignment: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an acoustic model from transcripts alone: a CTC or flat start, then iterative Viterbi re-alignment.",
        discussion: """
        DATA_DIR is a Kaldi data directory with `text` (features are computed into MODEL_DIR/feats \
        if it has no feats.scp). LEXICON has `WORD PH PH ...` lines (CMU, Kaldi or MFA style).

        First alignment: a CTC model is trained on the transcripts alone (MODEL_DIR/ctc), and its \
        best paths through each transcript's phones are the start (--init-alignment ctc); or a \
        flat start (--init-alignment flat): each transcript's phones (first pronunciation) spread \
        uniformly over its frames, silence where the recording is quiet. With --init-model, the corpus is instead \
        first aligned with that model, and the rounds adapt it (same topology, features made as \
        its own were, --adaptation-learning-rate). Then rounds of: train the BiLSTM for --epochs epochs on the \
        current alignments, re-align every utterance with Viterbi (optional silence, all \
        pronunciations, minimum phone duration). One log line per round: mean best-path \
        log-likelihood per frame, share of frames whose label changed, validation frame accuracy. \
        Stops when fewer than --change-threshold of the frames change, or after --rounds.

        With --criterion ctc there is no alignment and no flat start: the network learns each \
        transcript's phones with connectionist temporal classification (a blank class between \
        and around them), until its validation loss stops improving. MODEL_DIR then holds ctc/ \
        (its epochs), ali.ctc.ark (the final model's CTC forced alignment), final.mdl, \
        phones.txt, priors.txt and phones.arpa.

        MODEL_DIR keeps every round (round-N/, ali.N.ark), final.mdl, phones.txt, priors.txt, \
        oovs.txt, train.log and phones.arpa (a phone bigram of the final alignments, for \
        `parrot decode --phone-lm`). Re-running the same command resumes an interrupted run. \
        Utterances left out (no features, no transcript, unknown words, a transcript too long \
        for the audio) are named on stderr and in MODEL_DIR/failed.txt; the model is trained on \
        the rest, and the exit status is then 1.

        e.g.: parrot train exp/tts/data/train exp/tts/data/lexicon.txt exp/tts/model --rounds 4 --epochs 3
        """
    )

    @Argument(help: "Kaldi data directory with text (and wav.scp or feats.scp), or a corpus folder (recordings beside .lab/.txt/.TextGrid transcripts, a sub-folder per speaker).") var dataDir: String
    @Argument(help: "Pronunciation lexicon, or 'english': the CMU dictionary, with eSpeak NG's pronunciations for words it lacks.") var lexicon: String
    @Argument(help: "Directory for the models, alignments and logs.") var modelDir: String

    @Option(help: "What the network learns: 'framewise' (each frame's phone, from a flat start and re-alignment) or 'ctc' (each transcript's phones, with a blank; no alignment).")
    var criterion: TrainingCriterion = .framewise
    @Option(help: "How the first alignment is made: 'ctc' (a CTC model is trained first, in MODEL_DIR/ctc, and its alignments are the start; a flat start instead if it never leaves the blank plateau) or 'flat' (phones spread uniformly over the speech, quicker). Default: ctc, except with --init-model or --criterion ctc, which make no first alignment of this kind.")
    var initAlignment: InitialAlignment?
    @Option(help: "LSTM layers of the CTC start's network (its other settings are --hidden and the rest). Default: --layers. One layer trains it in about a third of the time (the whole of training in about half, on 600 utterances); on development data its boundaries were as good (+0.3 points within 20 ms) and phone recognition a little worse (greedy %PER +0.75, with the phone bigram +0.36), so it is not the default.")
    var ctcStartLayers: Int?
    @Option(help: "Most re-alignment rounds (training stops sooner when fewer than --change-threshold of the frames change).") var rounds = 8
    @Option(help: "Most training epochs per round. Default: at least 3, raised on small corpora to 150 optimiser steps (300 in the frame-local rounds), at most 60; a round ends sooner when its validation loss stops improving (--patience).") var epochs: Int?
    @Option(help: "End a round after this many epochs without a lower validation loss, keeping its best epoch (0: train every epoch).") var patience = 2
    @Option(help: "First rounds that train a frame-local classifier instead of the BiLSTM (0: none).") var localRounds = 3
    @Option(help: "Frames of context on each side of every frame for the frame-local classifier. Default: 0 after a CTC start, whose first boundaries come early and which a classifier seeing its neighbours keeps; 1 after a flat start, whose timing the classifier cannot learn from ±1 frame (more context: boundaries up to 40 ms late), and after a starting model's alignment (--init-model, and align's and decode's adaptation).") var localSplice: Int?
    @Option(help: "Stop when fewer than this share of frames change in a re-alignment.") var changeThreshold = 0.01
    @Option(help: "Noise augmentation: every epoch, each training utterance has an even chance of white noise at a signal-to-noise ratio drawn from LOW,HIGH dB (below its RMS), added to its log-Mel features as the waveform's would add; 'off' for none. Needs features made by Parrot.")
    var noise = "5,20"
    @OptionGroup(title: "Alignment") var alignment: AlignmentArguments
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments
    @OptionGroup(title: "Network") var network: NetworkArguments
    @Option(help: "Flat start: how far from the quiet to the loud energy level a frame must be to count as speech (0-1).")
    var speechThreshold = SpeechRegion.defaultThreshold
    @Option(name: .customLong("nj"), help: "Worker threads for features and re-alignment.") var jobs = 2
    @Option(help: "Adapt this model (file, directory, or a named model such as english) instead of training from scratch: the corpus is first aligned with it (no flat start), the frame-local rounds learn from that alignment (on ±1 frame), then each BiLSTM round fine-tunes the model at --adaptation-learning-rate. The lexicon's phones must all be the model's.") var initModel: String?
    @Option(help: "Adam's learning rate when adapting a model (--init-model).") var adaptationLearningRate: Float = 1e-4
    @OptionGroup(title: "Features (when computed here)") var fbank: FbankArguments
    @OptionGroup(title: "Audio (when features are computed here)") var audio: AudioArguments

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        // Adapting a model (--init-model) fine-tunes it in the last round at least: its local rounds are fewer when --rounds is small.
        guard localRounds >= 0, localRounds < rounds || initModel != nil else { throw ValidationError("--local-rounds must be below --rounds") }
        guard initAlignment != .ctc || (initModel == nil && criterion == .framewise) else {
            throw ValidationError("--init-alignment ctc starts framewise training from scratch; it cannot be combined with --init-model or --criterion ctc")
        }
        guard criterion == .framewise || initModel == nil else { throw ValidationError("--init-model adapts a framewise model; it cannot be combined with --criterion ctc") }
        guard ctcStartLayers ?? 1 >= 1 else { throw ValidationError("--ctc-start-layers must be at least 1") }
        guard adaptationLearningRate > 0, adaptationLearningRate.isFinite else { throw ValidationError("--adaptation-learning-rate must be positive") }
        guard (0...50).contains(localSplice ?? 0) else { throw ValidationError("--local-splice must be 0 to 50 frames") }
        guard rounds >= 1, epochs ?? 1 >= 1, jobs >= 1, patience >= 0 else { throw ValidationError("--rounds, --epochs and --nj must be at least 1, --patience at least 0") }
        _ = try noiseRange()
    }

    /// --warp when not given. With noise in the BiLSTM rounds, chosen on development data: 84.3%
    /// and 82.9% of the development voices' boundaries within 20 ms (seeds 1 and 2) against 81.5%
    /// and 81.0% without, FSDD leave-one-speaker-out 81.4% and 81.2% against 82.5% and 79.4%.
    static let defaultWarp = 0.1
    /// --spread when not given, training from scratch (adaptation, `--init-model` and `decode`'s
    /// and `align`'s, keeps 0: it was not measured). Chosen on development data: README, Speaker
    /// robustness, "Recordings of another spread (stop 54)".
    static let defaultSpread = 0.4
    /// `--norm-vars` unless given (and with no starting model). `per-bin` and `pooled` were
    /// measured on development data (README, Speaker robustness) and not adopted: `per-bin`
    /// recognises unseen FSDD speakers better (86.6% against 82.4% over three seeds) but inserts
    /// phones on the built-in voices (development voices, seed 2: greedy %PER 4.47 against 4.06,
    /// phone bigram 2.99 against 2.65) and loses 3.1 points where a model of eSpeak's voices
    /// aligns Festival's.
    static let defaultVarianceNormalization = VarianceNormalization.none

    /// The SNR range of --noise (nil for 'off').
    func noiseRange() throws -> ClosedRange<Double>? {
        if noise == "off" { return nil }
        let error = "--noise takes LOW,HIGH in dB (from -10 to 60, LOW no more than HIGH), e.g. 5,20, or 'off'; got '\(noise)'"
        guard let values = try AugmentationArguments.numbers(noise, in: -10...60, error: error), values.count == 2, values[0] <= values[1] else {
            throw ValidationError(error)
        }
        return values[0]...values[1]
    }

    /// The training settings these arguments give (lexicon: the lexicon argument, named).
    func trainingOptions(lexicon lexiconName: LexiconName) throws -> AlignmentTrainingOptions {
        var options = AlignmentTrainingOptions()
        options.rounds = rounds
        options.changeThreshold = changeThreshold
        options.alignment = alignment.options(lexicon: lexiconName, base: options.alignment)
        options.jobs = jobs
        options.speechThreshold = speechThreshold
        options.localRounds = localRounds
        options.adaptationLearningRate = adaptationLearningRate
        options.localSplice = localSplice
        options.ctcStartLayers = ctcStartLayers
        let defaults = options.network
        options.network = network.options(epochs: epochs ?? defaults.epochs, defaultWarp: Self.defaultWarp,
                                          defaultSpread: initModel == nil ? Self.defaultSpread : 0)
        options.network.patience = patience > 0 ? patience : nil
        options.network.criterion = criterion == .ctc ? .ctc : nil
        options.network.noiseSNR = try noiseRange()
        // A CTC start unless told otherwise. Chosen on development data (bench/dev, 600 utterances):
        // boundaries within 20 ms 86.40% against the flat start's 86.24% on eSpeak voices,
        // 61.77% against 57.66% on Festival's voice unheard, 76.87% against 70.93% trained on
        // Festival's voice alone.
        options.initialAlignment = initModel == nil && criterion == .framewise ? initAlignment ?? .ctc : nil
        // An explicit --epochs is the limit as given; the default is raised on small corpora.
        options.network.minimumSteps = epochs == nil ? defaults.minimumSteps : nil
        return options
    }

    /// The settings `parrot train --init-model` adapts a model with by default (`decode`'s
    /// self-adaptation trains with them): the arguments' defaults, parsed as a user's would be.
    static func adaptationOptions(lexicon: LexiconName, jobs: Int) throws -> AlignmentTrainingOptions {
        var command = try TrainCommand.parse(["DATA_DIR", "LEXICON", "MODEL_DIR", "--init-model", "MODEL"])
        command.jobs = jobs
        return try command.trainingOptions(lexicon: lexicon)
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "train") {
            let lexiconName = try LexiconName(lexicon)
            let lexiconRead = try Lexicon(path: lexiconName.path)
            let startingModel = try initModel.map { try ModelFile.read(path: try ModelPath.resolve($0)) }
            if let startingModel, let asked = network.normVars, asked != startingModel.varianceNormalization {
                throw ValidationError("--norm-vars \(asked.rawValue): the starting model's features were normalised with --norm-vars \(startingModel.varianceNormalization.rawValue), and adapting it keeps its normalisation")
            }
            // Features computed here are made as the starting model's were (its filterbank,
            // audio and CMVN settings), or else as the options say.
            var featureOptions = FeatureJobOptions()
            if let settings = startingModel?.features { featureOptions = FeatureJobOptions(settings: settings) } else { featureOptions.fbank = try fbank.options() }
            audio.apply(to: &featureOptions.audio)
            featureOptions.jobs = jobs
            let progress = ProgressLine("features")
            let data = try corpus.resolve(dataDir, workDirectory: (modelDir as NSString).appendingPathComponent("data"), command: "train")
            var (source, report) = try FeatureSource.open(dataDirectory: data.path, computingInto: (modelDir as NSString).appendingPathComponent("feats"),
                                                          options: featureOptions, progress: { progress.update($0, $1) })
            progress.finish()
            source.varianceNormalization = startingModel?.varianceNormalization ?? network.normVars ?? TrainCommand.defaultVarianceNormalization
            if let report { print("parrot train: features: Done \(report.succeeded.grouped) of \(report.total.grouped) utterances" + (report.failures.isEmpty ? "" : "; \(report.failures.count) failed")) }
            let transcripts = try TableFile.packed(path: (data.path as NSString).appendingPathComponent("text"))
            let (lexiconFile, lexiconPath) = try alignment.completing(lexiconRead, named: lexiconName, transcripts: transcripts, directory: modelDir, command: "train")
            let options = try trainingOptions(lexicon: lexiconName)
            let trainer = AlignmentTrainer(source: source, transcripts: transcripts, lexicon: lexiconFile, options: options, modelDirectory: modelDir)
            trainer.launcher = network.launcher
            trainer.lexiconPath = lexiconPath
            trainer.initialModel = startingModel
            let line = ProgressLine("training")
            func stage(_ round: Int) -> String { round == 0 ? "ctc" : "round \(round)" }
            trainer.onEvent = { event in
                switch event {
                case let .message(text): line.finish(); printError("parrot train: \(text)")
                // Round 0 is the CTC network (--criterion ctc, --init-alignment ctc).
                case let .network(round, .epoch(report)): line.finish(); print("\(stage(round)) \(report.line)")
                case let .network(round, .progress(epoch, done, total)): line.update(done, total, note: "\(stage(round)) epoch \(epoch)")
                case let .network(round, .kept(epoch, epochs)): line.finish(); print("\(stage(round)): kept epoch \(epoch) of \(epochs), the lowest validation loss")
                case .network(_, .message): break
                case let .realignment(round, done, total): line.update(done, total, note: "round \(round) re-alignment")
                case let .round(report): line.finish(); print(report.line)
                }
            }
            print("parrot train: OpenBLAS \(BLAS.coreName) kernels")
            let model = try trainer.run(resume: true)
            // The phone bigram `parrot decode --phone-lm` uses, from the final alignments.
            try AtomicFile.write(NGramEstimator.phoneArpa(alignments: trainer.finalAlignment, labels: model.classLabels, order: 2,
                                                                     excluded: ["SIL", "SPN", CTC.blankLabel]),
                                 to: (modelDir as NSString).appendingPathComponent("phones.arpa"))
            print("parrot train: model in \(modelDir)/final.mdl")
            // Every utterance of the corpus that did not make it into training, with its cause.
            var reasons = [String: String]()
            let featureKeys = Set(source.keys)   // (`keys` is rebuilt on each use: once, not per utterance)
            for key in featureKeys.union(transcripts.keys).union(source.failedUtterances.keys) where trainer.finalAlignment[key] == nil {
                reasons[key] = featureKeys.contains(key) ? "left out of training" : source.missingFeaturesReason(key)
            }
            for (key, reason) in trainer.leftOut where reasons[key] != nil { reasons[key] = reason }
            let failedPath = (modelDir as NSString).appendingPathComponent("failed.txt")
            let total = trainer.finalAlignment.count + reasons.count
            if reasons.isEmpty {
                try? FileManager.default.removeItem(atPath: failedPath)
                print("Done: trained on \(total.grouped) of \(total.grouped) utterances" + data.summaryNote)
                if data.folderErrors > 0 { throw ExitCode(1) }
            } else {
                let keys = reasons.keys.sorted(by: cLocaleLess)
                for key in keys { printError("parrot train: utterance '\(key)': \(reasons[key]!)") }
                try AtomicFile.write(keys.map { "\($0) \(reasons[$0]!)\n" }.joined(), to: failedPath)
                print("Done: trained on \(trainer.finalAlignment.count.grouped) of \(total.grouped) utterances; \(reasons.count) failed, see \(failedPath)" + data.summaryNote)
                throw ExitCode(1)
            }
        }
    }
}
