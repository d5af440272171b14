import Acoustic
import Audio
import ArgumentParser
import Corpus
import Training

extension VarianceNormalization: ExpressibleByArgument {}

/// Network and optimiser settings shared by `nnet-train` and `train`; builds `TrainingOptions`.
struct NetworkArguments: ParsableArguments {
    @Option(help: "Bidirectional LSTM layers (0: a frame-local affine classifier on spliced frames).") var layers = 2
    @Option(help: "LSTM units per direction.") var hidden = 128
    @Option(help: "Projection units after each direction's LSTM (LSTMP); 0 for none.") var projection = 0
    @Option(help: "Frames of context spliced on each side of every frame.") var splice = 0
    @Option(help: "Dropout probability between layers.") var dropout: Float = 0
    @Option(help: "Utterances per mini-batch (grouped by length).") var batchSize = 16
    @Option(help: "Adam's initial learning rate.") var learningRate: Float = 2e-3
    @Option(help: "Learning-rate factor when the validation loss stops improving.") var learningRateDecay: Float = 0.5
    @Option(help: "Gradient-norm clipping threshold.") var clipNorm: Float = 5
    @Option(help: "Share of every speaker's utterances held out for validation (learning-rate decay and early stopping).") var validFraction = 0.1
    @Option(help: "Seed of initialisation, validation split, batch order and dropout.") var seed: UInt64 = 1
    @Option(help: "Train on pieces of this many frames instead of whole utterances (0: whole utterances).") var chunkFrames = 0
    @Option(help: "Frequency masking: two bands of up to this many feature bins hidden in each training utterance (0: off).") var freqMask = 0
    @Option(help: "Time masking: two runs of up to this many frames hidden in each training utterance (0: off).") var timeMask = 0
    @Option(help: "Vocal-tract-length perturbation: each training utterance's log-Mel spectrum stretched by a factor drawn from 1 ± this, every epoch (0: off). Default: 0.1 in parrot train (its BiLSTM rounds), 0 in nnet-train.") var warp: Double?
    @Option(help: "What CMVN divides each speaker's features by after subtracting the mean: none (the mean alone), per-bin (each bin by its own standard deviation, as Kaldi's apply-cmvn --norm-vars) or pooled (every bin by one figure, the root of the bins' mean variance: quiet or loud, clean or noisy recordings then spread their frames alike). The model records it; align, decode and the other commands normalise its features the same way. Default: \(TrainCommand.defaultVarianceNormalization.rawValue) in parrot train (with --init-model, the starting model's), none in nnet-train.")
    var normVars: VarianceNormalization?
    @Option(help: "Spread perturbation: each training utterance's normalised features scaled bin by bin by exp(a + b·u), u from -1 at the lowest bin to +1 at the highest, a and b drawn from ± this every epoch, as recordings narrower or wider between their quiet and loud frames would give (0: off). Default: \(TrainCommand.defaultSpread) in parrot train (its BiLSTM rounds; never in CTC training or frame-local rounds; 0 with --init-model), 0 in nnet-train.") var spread: Double?
    @Option(help: "Tempo perturbation: each whole training utterance played at a rate drawn from 1 ± this, every epoch (0: off).") var tempo = 0.0
    @Option(help: "Parallel training with model averaging: copies of the model trained concurrently on shares of each epoch's batches, then averaged (1: one model).") var trainJobs = 1
    @Option(help: ArgumentHelp("Run the training copies (and in parrot train each round's re-alignment, in --nj parts) as separate jobs through this launcher, called Kaldi's way: CMD JOB=1:N LOG parrot train-worker ... (e.g. recipes/common/local.sh or recipes/common/slurm.sh; on a cluster keep the directories and the binary on a shared filesystem). Default: threads in this process. The model is the same either way.", valueName: "launcher"))
    var cmd: String?

    func validate() throws {
        guard layers >= 0, hidden >= 1, batchSize >= 1, splice >= 0, projection >= 0, chunkFrames >= 0, freqMask >= 0, timeMask >= 0, trainJobs >= 1 else {
            throw ValidationError("--hidden and --batch-size must be at least 1; --layers, --splice, --projection, --chunk-frames, --freq-mask and --time-mask at least 0")
        }
        guard (0..<0.5).contains(warp ?? 0), (0..<0.5).contains(tempo) else { throw ValidationError("--warp and --tempo must be in [0, 0.5)") }
        guard (0...1).contains(spread ?? 0) else { throw ValidationError("--spread must be in [0, 1]") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard (0..<1).contains(validFraction) else { throw ValidationError("--valid-fraction must be in [0, 1)") }
    }

    /// The job launcher of --cmd.
    var launcher: JobLauncher? { cmd.map { JobLauncher(command: $0) } }

    /// The library's options, with `epochs` passes, and `defaultWarp` and `defaultSpread` unless
    /// --warp and --spread are given.
    func options(epochs: Int, defaultWarp: Double = 0, defaultSpread: Double = 0) -> TrainingOptions {
        var options = TrainingOptions()
        options.layers = layers
        options.hiddenUnits = hidden
        options.projection = projection
        options.splice = splice
        options.dropout = dropout
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.learningRateDecay = learningRateDecay
        options.clipNorm = clipNorm
        options.validationFraction = validFraction
        options.seed = seed
        options.chunkFrames = chunkFrames > 0 ? chunkFrames : nil
        options.frequencyMaskWidth = freqMask > 0 ? freqMask : nil
        options.timeMaskWidth = timeMask > 0 ? timeMask : nil
        options.trainJobs = trainJobs > 1 ? trainJobs : nil
        let warp = warp ?? defaultWarp
        options.frequencyWarp = warp > 0 ? warp : nil
        options.tempoPerturbation = tempo > 0 ? tempo : nil
        let spread = spread ?? defaultSpread
        options.spreadPerturbation = spread > 0 ? spread : nil
        return options
    }
}
