import Align
import Core
import Foundation

/// Settings of flat-start training by iterative re-alignment.
public struct AlignmentTrainingOptions: Codable, Equatable, Sendable {
    /// Network and optimiser settings; `network.epochs` (raised to `network.minimumSteps` steps)
    /// is the most epochs per round, fewer when early stopping (`network.patience`) ends it.
    public var network = TrainingOptions()
    /// Most re-alignment rounds; training usually stops sooner, when the alignments stop
    /// changing (`changeThreshold`). Default 8.
    public var rounds = 8
    /// Stop when fewer than this share of frames change label in a re-alignment. Default 0.01.
    public var changeThreshold = 0.01
    /// How every round re-aligns (graph topology, prior scale, unknown words). Its prior scale
    /// defaults to 0 here (`realignmentPriorScale`), where `parrot align` uses 1.
    public var alignment = AlignmentTrainingOptions.realignmentAlignment
    /// Re-alignment rounds use the posteriors as they are. Priors subtracted in them (scale 1, the
    /// aligner's default) lost 4.9 points within 20 ms on the development voices (81.9% against
    /// 86.8%) while gaining 3.4 on Festival's voice unheard; priors in the final alignment alone
    /// gained on every development row.
    public static let realignmentPriorScale: Float = 0
    /// Log-score a re-alignment pays for a word's second or later pronunciation (see
    /// `AlignerOptions.variantCost`).
    public static let realignmentVariantCost: Float = 0
    static var realignmentAlignment: AlignerOptions {
        var options = AlignerOptions()
        options.priorScale = realignmentPriorScale
        options.variantCost = realignmentVariantCost
        return options
    }
    /// Worker threads for re-alignment. Default 2.
    public var jobs = 2
    /// First rounds that train a frame-local classifier (no LSTM layers, ±`localSplice` frames)
    /// instead of the BiLSTM. A bidirectional network sees the whole utterance and can learn the
    /// flat start's timing instead of correcting it; a local classifier can only learn what each
    /// phone sounds like, so its re-alignments move towards the acoustics (the part monophone
    /// GMMs play in Kaldi's flat start). Default 3. Adapting a starting model has them too: they
    /// learn the new data's sounds from the model's first alignment, and the model is then
    /// fine-tuned on their alignments.
    public var localRounds = 3
    /// Frames of context on each side for the local rounds; nil (the default) chooses by the first
    /// alignment actually made: `localSpliceAfterFlatStart` or `localSpliceAfterCTCStart`. Less
    /// context leaves the classifier less room to learn the current alignment's timing instead of
    /// the sounds.
    public var localSplice: Int?
    /// ±1 frame after a flat start: on development voices of the built-in corpus the defaults put
    /// 85.2% of boundaries within 20 ms with ±1 frame and 72.8% with ±3, and FSDD's unseen
    /// speakers were recognised better with ±1 than with ±5 (1,452 against 1,390 of 2,000 files);
    /// ±0 gave 83.4% against 86.2%.
    public static let localSpliceAfterFlatStart = 1
    /// ±0 frames after a CTC start. Its first alignment is consistently early (boundaries 10.5 ms
    /// before the reference's, median, on development training voices), and a classifier that
    /// sees a frame on each side learns to label a frame by its neighbour: the shift outlived
    /// every round (−4.5 ms at the end; −1.5 ms with ±0), costing 1.7 points within 20 ms on the
    /// development voices.
    public static let localSpliceAfterCTCStart = 0
    /// ±1 frame after a starting model's alignment (adaptation). On development data, the model of
    /// 600 eSpeak utterances adapting to Festival's voice put 79.0% of boundaries within 20 ms with
    /// ±1 frame, 77.8% with ±0, 78.1% with ±2 and 75.7% without local rounds; a model of 152
    /// utterances adapting to two unheard eSpeak voices 87.3%, 86.2% and 85.5%.
    public static let localSpliceAfterStartingModel = 1

    /// The local rounds' context after a first alignment made by `start`, or by a starting model
    /// (`fromModel`).
    public func localSplice(after start: InitialAlignment, fromModel: Bool = false) -> Int {
        localSplice ?? (fromModel ? Self.localSpliceAfterStartingModel
            : start == .ctc ? Self.localSpliceAfterCTCStart : Self.localSpliceAfterFlatStart)
    }

    /// Adam's learning rate in every round when training starts from a model
    /// (`AlignmentTrainer.initialModel`): adaptation refines what the model knows instead of
    /// overwriting it. Default 1e-4, a tenth of a fresh network's.
    public var adaptationLearningRate: Float = 1e-4
    /// Flat start puts silence where the recording is quiet (`SpeechRegion`) rather than a
    /// uniform share at each end. Default true.
    public var energyFlatStart = true
    /// How far from the quiet to the loud energy level a frame must be to count as speech in the
    /// flat start (see `SpeechRegion`).
    public var speechThreshold = SpeechRegion.defaultThreshold

    /// How the first alignment is made: nil or `flat` (the flat start), or `ctc` (a CTC model
    /// trained first, its alignments the start; `AlignmentTrainer.ctcStart`). Default nil here;
    /// `parrot train` starts from CTC unless told otherwise (`TrainCommand`).
    public var initialAlignment: InitialAlignment?
    /// `network.minimumSteps` when training a CTC model (`network.criterion` `.ctc`), when that
    /// is set: CTC first learns to output blanks everywhere and needs far more
    /// steps than a round on alignments before it finds the phones. Default 1,500.
    public var ctcMinimumSteps: Int? = 1_500
    /// `ctcMinimumSteps` for the CTC network of a CTC start: its alignments are only the first of
    /// many, and the frame-local rounds re-place every boundary. Default 500.
    public var ctcStartMinimumSteps: Int? = 500
    /// LSTM layers of the CTC start's network (its width and everything else as `network`'s);
    /// nil: `network.layers`, the default. One layer is about three times quicker: on the built-in
    /// recipe's 600 training utterances it left the blank plateau after about 12 epochs instead of
    /// 20, at a third of the time an epoch. On development data (three seeds) its boundaries were
    /// 0.3 points better and its phone recognition worse on every seed (README, CTC: a one-layer
    /// start), so it is not the default.
    public var ctcStartLayers: Int?
    /// `network.patience` when training a CTC model, when that is set. Default 4.
    public var ctcPatience: Int? = 4
    /// The most epochs of a CTC model (when `ctcMinimumSteps` sets the limit), and the steps
    /// before its learning rate may decay or early stopping end it (`TrainingOptions.warmupSteps`).
    /// Defaults 200 and 1,500: on 150 utterances of the built-in corpus (9 steps an epoch) the
    /// defaults of a round (60 epochs, decay from the first) left the network on the blank plateau.
    public var ctcMaximumEpochs = 200
    public var ctcWarmupSteps: Int? = 1_500

    /// `network.minimumSteps` for the frame-local rounds, when that is set. Default 300: a
    /// frame-local epoch costs a fraction of a BiLSTM one, and three epochs of a small corpus
    /// leave the classifier far from what it can learn.
    public var localMinimumSteps: Int? = 300

    /// Every round trains until its validation loss stops improving (patience 2, the best
    /// epoch kept), for at least 3 epochs and 150 optimiser steps (300 in frame-local rounds)
    /// unless it stops early, and at most 60 epochs.
    public init() {
        network.epochs = 3
        network.minimumSteps = 150
        network.patience = 2
    }
}

/// How iterative re-alignment gets its first alignment.
public enum InitialAlignment: String, Codable, Sendable, CaseIterable {
    /// The transcript's phones spread uniformly over the speech (`TranscriptCompiler.flatStart`).
    case flat
    /// A CTC model's alignment, the CTC model trained first from the transcripts alone.
    case ctc
}

/// One line of the training log per round.
public struct RoundReport: Codable, Equatable, Sendable {
    public var round: Int
    /// Mean best-path log-likelihood per frame under the round's model.
    public var meanLogLikelihood: Double
    /// Share of frames whose label changed in the re-alignment.
    public var framesChanged: Double
    /// Frame accuracy on the held-out utterances after the round's last epoch.
    public var validationAccuracy: Double?
    public var aligned: Int
    public var failed: Int
    /// Wall time of the round: training and re-alignment (absent in logs from before it was kept).
    public var seconds: Double?

    public init(round: Int, meanLogLikelihood: Double, framesChanged: Double, validationAccuracy: Double?, aligned: Int, failed: Int, seconds: Double? = nil) {
        self.round = round
        self.meanLogLikelihood = meanLogLikelihood
        self.framesChanged = framesChanged
        self.validationAccuracy = validationAccuracy
        self.aligned = aligned
        self.failed = failed
        self.seconds = seconds
    }

    public var line: String {
        var text = String(format: "round %d: mean best-path log-likelihood %.4f per frame, %.2f%% of frames changed", round, meanLogLikelihood, 100 * framesChanged)
        if let validationAccuracy { text += String(format: ", validation frame accuracy %.2f%%", 100 * validationAccuracy) }
        text += ", \(aligned) aligned, \(failed) failed"
        if let seconds { text += String(format: "; %.0f s", seconds) }
        return text
    }
}

/// What `AlignmentTrainer` reports while it works.
public enum AlignmentTrainingEvent: Sendable {
    case message(String)
    case network(round: Int, TrainingEvent)
    case realignment(round: Int, done: Int, of: Int)
    case round(RoundReport)
}
