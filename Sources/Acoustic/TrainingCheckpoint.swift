import Foundation
import KaldiIO

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
    /// Passes over the training data. Default 10.
    public var epochs = 10
    /// Utterances per mini-batch (of similar length). Default 16.
    public var batchSize = 16
    /// Adam's initial learning rate. Default 0.001.
    public var learningRate: Float = 1e-3
    /// Factor applied to the learning rate when the validation loss stops improving. Default 0.5.
    public var learningRateDecay: Float = 0.5
    /// Gradient-norm clipping threshold. Default 5.
    public var clipNorm: Float = 5
    /// Share of speakers (or of utterances, with a single speaker) held out for validation. Default 0.1.
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
    /// Parallel training with model averaging: each epoch, this many copies of the model train
    /// on interleaved shares of the batches (concurrently) and their weights and optimiser moments
    /// are averaged. Nil or 1: one model.
    public var trainJobs: Int?

    public init() {}

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

/// Trainer state after an epoch, with the optimiser's moments: `MODEL_DIR/checkpoint`, written
/// atomically after every epoch so training resumes exactly after a kill.
///
///     "PARROT-CKPT\n", UInt32 version, UInt64 JSON length, JSON state,
///     Float32 × n first moments, Float32 × n second moments, UInt32 FNV-1a checksum
struct TrainingCheckpoint: Codable {
    var epoch: Int
    var learningRate: Float
    var bestValidationLoss: Double?
    var optimizerStep: Int
    var parameterCount: Int
    var options: TrainingOptions
    var history: [EpochReport]

    static let magic = Array("PARROT-CKPT\n".utf8)
    static let version: UInt32 = 1

    func write(optimizer: AdamOptimizer, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(self))
        var bytes = Self.magic
        withUnsafeBytes(of: Self.version.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes += $0 }
        bytes += json
        for v in optimizer.firstMoment + optimizer.secondMoment { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let sum = ModelFile.checksum(bytes)
        withUnsafeBytes(of: sum.littleEndian) { bytes += $0 }
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit()
    }

    static func read(path: String) throws -> (TrainingCheckpoint, AdamOptimizer) {
        guard let data = FileManager.default.contents(atPath: path) else { throw KaldiIOError.cannotOpen(path: path, reason: "no such file") }
        let bytes = [UInt8](data)
        guard bytes.count > magic.count + 16, Array(bytes[0..<magic.count]) == magic else { throw AcousticModelError.notAModelFile(path: path) }
        func u64(_ o: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) } }
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[o + $1]) << (8 * $1) } }
        let version = u32(magic.count)
        guard version <= Self.version else { throw AcousticModelError.unsupportedVersion(path: path, version: Int(version), supported: Int(Self.version)) }
        let jsonLength = u64(magic.count + 4)
        let start = magic.count + 12
        guard start + jsonLength <= bytes.count else { throw AcousticModelError.truncated(path: path, expectedBytes: start + jsonLength, actualBytes: bytes.count) }
        let state = try JSONDecoder().decode(TrainingCheckpoint.self, from: Data(bytes[start..<(start + jsonLength)]))
        let n = state.parameterCount
        let expected = start + jsonLength + 8 * n + 4
        guard bytes.count == expected else { throw AcousticModelError.truncated(path: path, expectedBytes: expected, actualBytes: bytes.count) }
        guard u32(expected - 4) == ModelFile.checksum(Array(bytes[0..<(expected - 4)])) else { throw AcousticModelError.corrupt(path: path, reason: "checksum mismatch") }
        var moments = [Float](repeating: 0, count: 2 * n)
        for i in 0..<(2 * n) { moments[i] = Float(bitPattern: u32(start + jsonLength + 4 * i)) }
        var optimizer = AdamOptimizer(learningRate: state.learningRate, step: state.optimizerStep,
                                      firstMoment: Array(moments[0..<n]), secondMoment: Array(moments[n...]))
        optimizer.clipNorm = state.options.clipNorm
        return (state, optimizer)
    }
}
