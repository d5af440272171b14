import Acoustic
import ArgumentParser
import Audio
import Corpus

/// Log-Mel filterbank settings shared by every subcommand that computes features.
struct FbankArguments: ParsableArguments {
    @Option(help: "Sample rate in Hz that audio is resampled to before analysis (8 kHz corpora: use 8000 to work natively).")
    var sampleRate: Int = 16_000

    @Option(help: "Number of Mel filters, i.e. the feature dimension.")
    var numMelBins: Int = 40

    @Option(help: "Lower edge of the first Mel filter in Hz.")
    var lowFreq: Double = 20

    @Option(help: "Upper edge of the last Mel filter in Hz; 0 means Nyquist, negative means that far below Nyquist.")
    var highFreq: Double = 0

    @Option(help: "Analysis window length in milliseconds.")
    var frameLength: Double = 25

    @Option(help: "Frame shift in milliseconds.")
    var frameShift: Double = 10

    @Option(help: "Pre-emphasis coefficient.")
    var preemphasisCoefficient: Float = 0.97

    @Option(help: "Window function: \(FbankOptions.WindowType.allCases.map(\.rawValue).joined(separator: ", ")).")
    var windowType: String = "povey"

    @Option(help: "Kaldi's --snip-edges: true keeps only frames that fit in the signal; false centres frames and reflects at the edges.")
    var snipEdges: Bool = true

    @Option(help: "Kaldi's --dither: standard deviation of the Gaussian noise added to the samples (16-bit units), so digital silence gets a noise floor; 0 for none (Kaldi's default is 1). Deterministic.")
    var dither: Float = 0

    func validate() throws {
        guard dither >= 0 else { throw ValidationError("--dither must be 0 or more") }
        do { _ = try options() } catch let error as AudioError { throw ValidationError(error.description) }
    }

    /// The library's options struct.
    func options() throws -> FbankOptions {
        var options = FbankOptions()
        options.sampleRate = sampleRate
        options.melBinCount = numMelBins
        options.lowFrequencyHz = lowFreq
        options.highFrequencyHz = highFreq
        options.frameLengthMilliseconds = frameLength
        options.frameShiftMilliseconds = frameShift
        options.preemphasisCoefficient = preemphasisCoefficient
        guard let window = FbankOptions.WindowType(rawValue: windowType) else {
            throw AudioError.invalidOptions(reason: "unknown window type '\(windowType)'")
        }
        options.window = window
        options.snipEdges = snipEdges
        options.dither = dither > 0 ? dither : nil
        try options.validate()
        return options
    }
}

/// How recordings are read, shared by subcommands that read audio (features, validate aside).
struct AudioArguments: ParsableArguments {
    @Option(help: "Channel to use from multichannel files, counting from 0 (default: average all channels).")
    var channel: Int?

    @Option(help: "Seconds after which a piped wav.scp command is killed and its utterance reported as failed.")
    var pipeTimeout: Double = 600

    /// Applies the options; a model's own channel choice is kept unless --channel is given.
    func apply(to options: inout AudioLoadingOptions) {
        if let channel { options.channel = channel }
        options.pipeTimeoutSeconds = pipeTimeout
    }

    func validate() throws {
        if let channel, channel < 0 { throw ValidationError("--channel counts from 0; got \(channel)") }
        if pipeTimeout <= 0 { throw ValidationError("--pipe-timeout must be positive") }
    }

    /// The features a model needs for `dataDirectory`: its own feats.scp when it has one, or else
    /// computed now into `scratchDirectory` (`jobs` threads) the way the model's training features
    /// were made, read as these options say, and normalised as the model's were.
    func features(for model: AcousticModel, dataDirectory: String, scratchDirectory: String, jobs: Int) throws -> FeatureSource {
        var options = model.features.map(FeatureJobOptions.init(settings:)) ?? FeatureJobOptions()
        options.jobs = jobs
        apply(to: &options.audio)
        var source = try FeatureSource.open(dataDirectory: dataDirectory, computingInto: scratchDirectory, options: options).0
        source.varianceNormalization = model.varianceNormalization
        return source
    }
}

/// Training-data augmentation written by `parrot features`.
struct AugmentationArguments: ParsableArguments {
    @Option(help: "Speed perturbation for training data, e.g. 0.9,1.0,1.1: each utterance is also written at every other factor (as spF-UTT, by resampling), as Kaldi recipes augment data.")
    var speedPerturb: String?

    @Option(help: "Noise augmentation for training data, e.g. 10,20: each utterance is also written with white noise that many dB below its level (as nsSNR-UTT).")
    var addNoise: String?

    @Option(help: "Room augmentation for training data, e.g. 0.3,0.7: each utterance is also written as heard in a simulated room of that reverberation time in seconds (RT60; as rvT-UTT).")
    var reverb: String?

    @Flag(help: "Telephone augmentation for training data: each utterance is also written as a telephone line passes it, 300-3,400 Hz and 8-bit mu-law (as tel-UTT).")
    var telephone = false

    @Flag(help: "With several augmentations (--speed-perturb, --add-noise, --reverb, --telephone), write one copy of each utterance, its augmentation drawn from a hash of its ID, instead of one per augmentation.")
    var oneCopyEach = false

    /// The reverberation times of --reverb.
    func reverbTimes() throws -> [Double]? {
        try AugmentationArguments.numbers(reverb, in: 0.05...3, error: "--reverb takes reverberation times in seconds (0.05 to 3) separated by commas, e.g. 0.3,0.7")
    }

    /// The SNRs of --add-noise.
    func noiseSNRs() throws -> [Double]? {
        try AugmentationArguments.numbers(addNoise, in: -10...60,
                                          error: "--add-noise takes signal-to-noise ratios in dB (-10 to 60) separated by commas, e.g. 10,20")
    }

    /// The factors of --speed-perturb.
    func speedFactors() throws -> [Double]? {
        try AugmentationArguments.numbers(speedPerturb, in: 0.5...2, error: "--speed-perturb takes factors between 0.5 and 2 separated by commas, e.g. 0.9,1.0,1.1")
    }

    /// A comma-separated list of numbers in `range` (nil when the option is absent).
    static func numbers(_ text: String?, in range: ClosedRange<Double>, error: String) throws -> [Double]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.filter(range.contains)
        guard !values.isEmpty, values.count == text.split(separator: ",").count else { throw ValidationError(error) }
        return values
    }

    func validate() throws {
        _ = try speedFactors()
        _ = try noiseSNRs()
        _ = try reverbTimes()
    }
}
