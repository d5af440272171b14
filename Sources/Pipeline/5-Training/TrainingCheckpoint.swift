import Acoustic
import Core
import Foundation
import KaldiIO

/// Trainer state after an epoch, with the optimiser's moments: `MODEL_DIR/checkpoint`, written
/// atomically after every epoch so training resumes exactly after a kill.
///
///     "PARROT-CKPT\n", UInt32 version, UInt64 JSON length, JSON state,
///     Float32 × n first moments, Float32 × n second moments, UInt32 FNV-1a checksum
struct TrainingCheckpoint: Codable {
    var epoch: Int
    var learningRate: Float
    var bestValidationLoss: Double?
    /// The epoch with the lowest validation loss so far, and how many epochs have passed since
    /// (for early stopping; absent in checkpoints from before it).
    var bestEpoch: Int?
    var epochsSinceBest: Int?
    /// Epochs spent in the warm-up on CTC's blank plateau (`TrainingOptions.warmupSteps`): they
    /// do not count against the epoch limit (absent in checkpoints from before it: none).
    var warmupEpochs: Int?
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
        bytes.reserveCapacity(bytes.count + 8 * optimizer.firstMoment.count + 4)
        ModelFile.appendFloats(optimizer.firstMoment, to: &bytes)
        ModelFile.appendFloats(optimizer.secondMoment, to: &bytes)
        let sum = ModelFile.checksum(bytes)
        withUnsafeBytes(of: sum.littleEndian) { bytes += $0 }
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit()
    }

    static func read(path: String) throws -> (TrainingCheckpoint, AdamOptimizer) {
        let bytes = try ByteReader(path: path).readToEnd()
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
        guard u32(expected - 4) == ModelFile.checksum(bytes[0..<(expected - 4)]) else { throw AcousticModelError.corrupt(path: path, reason: "checksum mismatch") }
        var optimizer = AdamOptimizer(learningRate: state.learningRate, step: state.optimizerStep,
                                      firstMoment: ModelFile.readFloats(bytes, at: start + jsonLength, count: n),
                                      secondMoment: ModelFile.readFloats(bytes, at: start + jsonLength + 4 * n, count: n))
        optimizer.clipNorm = state.options.clipNorm
        return (state, optimizer)
    }
}
