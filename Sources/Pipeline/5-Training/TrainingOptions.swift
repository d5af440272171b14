import Acoustic

/// Settings of `NetworkTrainer`.
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Bidirectional layers. Default 3.
    public var layers = 3
    /// LSTM units per direction. Default 256.
    public var hiddenUnits = 256
    /// Projection units after each direction's LSTM (LSTMP); 0 for none. Default 0.
    public var projection = 0
    /// Frames of context spliced on each side of every input frame. Default 0.
    public var splice = 0
    /// Dropout between layers. Default 0.
    public var dropout: Float = 0
    /// Passes over the training data: the number of epochs, or with `minimumSteps` the least
    /// epoch limit. Default 10.
    public var epochs = 10
    /// Raise the epoch limit so that training takes at least this many optimiser steps: a small
    /// corpus has few batches per epoch, so a fixed epoch count barely trains it. The limit is
    /// then `max(epochs, ⌈minimumSteps / batches per epoch⌉)`, at most `maximumEpochs`. Nil: `epochs` exactly.
    public var minimumSteps: Int?
    /// Upper bound on the epoch limit that `minimumSteps` sets.
    public static let maximumEpochs = 60
    /// Another upper bound for that limit (nil: `maximumEpochs`).
    public var epochCap: Int?
    /// Optimiser steps before the learning rate may decay and early stopping may end training
    /// (the best epoch is still the one kept). A CTC network first learns to output blanks
    /// everywhere and its validation loss creeps along that plateau; decaying the rate there
    /// can leave it on the plateau for good. The warm-up ends sooner when the validation loss falls
    /// below half the first epoch's. Nil: from the first epoch.
    public var warmupSteps: Int?
    /// Early stopping: stop after this many epochs in a row without a lower validation loss, and
    /// return the epoch with the lowest validation loss instead of the last (the learning rate
    /// is already cut by `learningRateDecay` after each such epoch). Nil: train every epoch and
    /// return the last. Without validation utterances every epoch is trained.
    public var patience: Int?
    /// Utterances per mini-batch (of similar length). Default 16.
    public var batchSize = 16
    /// Adam's initial learning rate. Default 0.001.
    public var learningRate: Float = 1e-3
    /// Factor applied to the learning rate when the validation loss stops improving. Default 0.5.
    public var learningRateDecay: Float = 0.5
    /// Gradient-norm clipping threshold. Default 5.
    public var clipNorm: Float = 5
    /// Share of each speaker's utterances held out for validation. Default 0.1.
    public var validationFraction = 0.1
    /// Seed of initialisation, batch order, validation split and dropout. Default 1.
    public var seed: UInt64 = 1
    /// Train on pieces of this many frames instead of whole utterances (the last piece of an
    /// utterance takes the remainder; nil or 0: whole utterances). Pieces keep a BiLSTM from
    /// leaning on where in an utterance a frame is. Validation uses whole utterances.
    public var chunkFrames: Int?
    /// Frequency masking of training inputs: two bands of up to this many feature bins set to
    /// the mean in every utterance (and every spliced copy of a frame alike). Nil or 0: off.
    public var frequencyMaskWidth: Int?
    /// Time masking of training inputs: two runs of up to this many frames set to the mean. Nil or 0: off.
    public var timeMaskWidth: Int?
    /// Vocal-tract-length perturbation of training inputs: each training utterance, every epoch,
    /// has its log-Mel spectrum stretched by a factor drawn uniformly from 1 ± this
    /// (`FrequencyWarp`), so the network meets more vocal tracts than the corpus has speakers.
    /// Needs features made by Parrot's filterbank (the model's feature settings). Nil or 0: off.
    public var frequencyWarp: Double?
    /// Tempo perturbation of training inputs: each whole training utterance, every epoch, is
    /// played at a rate drawn uniformly from 1 ± this (frames resampled by interpolation,
    /// targets from the nearest frame). With `frequencyWarp` it stands in for Kaldi's speed
    /// perturbation on features already computed. Nil or 0: off.
    public var tempoPerturbation: Double?
    /// Spread perturbation of training inputs: each training utterance, every epoch, has its
    /// normalised features scaled bin by bin (`SpreadPerturbation`, level and tilt drawn from ±
    /// this), so the network meets recordings whose quiet and loud frames lie nearer together or
    /// further apart than the corpus's do. `AlignmentTrainer` leaves it out of frame-local rounds
    /// and CTC training. Nil or 0: off.
    public var spreadPerturbation: Double?
    /// Noise augmentation of training inputs: each training utterance, every epoch, has an even
    /// chance of white noise (`FeatureNoise`) at a signal-to-noise ratio drawn uniformly from this
    /// range in dB (then the speaker's CMVN). Needs features made by Parrot's filterbank (the
    /// model's feature settings). `AlignmentTrainer` leaves it, like every augmentation, out of
    /// frame-local rounds. Nil: off.
    public var noiseSNR: ClosedRange<Double>?
    /// Parallel training with model averaging: each epoch, this many copies of the model train
    /// on interleaved shares of the batches (concurrently) and their weights and optimiser moments
    /// are averaged. Nil or 1: one model.
    public var trainJobs: Int?
    /// What the network learns: frame targets (nil or `framewise`: the targets are one class per
    /// frame) or CTC (`ctc`: the targets are each utterance's label sequence, and the last class
    /// is the blank). Pieces (`chunkFrames`) need frame targets.
    public var criterion: TrainingCriterion?

    public init() {}

    /// Whether the targets are label sequences for CTC rather than one class per frame.
    public var isCTC: Bool { criterion == .ctc }

    /// The most epochs to train when an epoch has `batches` optimiser steps.
    public func epochLimit(batchesPerEpoch batches: Int) -> Int {
        guard let minimumSteps, batches > 0 else { return epochs }
        return max(epochs, min(epochCap ?? Self.maximumEpochs, (minimumSteps + batches - 1) / batches))
    }

    /// The network these options train, for features of `featureDimension` and `classes` classes.
    public func configuration(featureDimension: Int, classes: Int) -> AcousticModelConfiguration {
        AcousticModelConfiguration(featureDimension: featureDimension, classes: classes, layers: layers, hiddenUnits: hiddenUnits,
                                   splice: splice, dropout: dropout, projection: projection)
    }

    /// Whether a model of `configuration` can be trained further with these options (same topology).
    public func canContinue(_ configuration: AcousticModelConfiguration) -> Bool {
        configuration == self.configuration(featureDimension: configuration.featureDimension, classes: configuration.classes)
    }
}

/// One line of the training log.
public struct EpochReport: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Float
    public var framesPerSecond: Double
    public var elapsedSeconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?, validationAccuracy: Double?,
                learningRate: Float, framesPerSecond: Double, elapsedSeconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.framesPerSecond = framesPerSecond
        self.elapsedSeconds = elapsedSeconds
    }

    public var line: String {
        var text = String(format: "epoch %d: train loss %.4f, frame accuracy %.2f%%", epoch, trainLoss, 100 * trainAccuracy)
        if let validationLoss, let validationAccuracy {
            text += String(format: "; validation loss %.4f, frame accuracy %.2f%%", validationLoss, 100 * validationAccuracy)
        }
        text += String(format: "; learning rate %.2g; %.0f frames/s; %.1f s", learningRate, framesPerSecond, elapsedSeconds)
        return text
    }
}
