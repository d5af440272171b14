import Audio
import Core
import Foundation
import KaldiIO

/// The on-disk form of an `AcousticModel`: one self-describing, versioned file.
///
///     "PARROT-AM\n"                      10-byte magic
///     UInt32 format version              little-endian
///     UInt64 header length               little-endian, bytes of JSON that follow
///     header JSON                        configuration, labels, features, normalisation, weight count
///     Float32 × weight count             little-endian
///     UInt32 checksum                    FNV-1a of everything before it
///
/// A foreign file, a newer format, a short file or a damaged one each get their own error.
public enum ModelFile {
    public static let formatVersion = 1
    static let magic = Array("PARROT-AM\n".utf8)

    struct Header: Codable {
        var configuration: AcousticModelConfiguration
        var classLabels: [String]
        var features: FeatureSettings?
        var cmvn: CMVNMode
        var inputMean: [Float]
        var inputScale: [Float]
        var weightCount: Int
        var writtenBy: String
        /// Absent for a framewise model (the files of models from before CTC are unchanged).
        var criterion: TrainingCriterion?
        /// Absent when CMVN leaves the variance as it is (the files of earlier models are unchanged).
        var varianceNormalization: VarianceNormalization?
    }

    /// Writes `model` to `path` atomically.
    public static func write(_ model: AcousticModel, to path: String) throws {
        let header = Header(configuration: model.configuration, classLabels: model.classLabels, features: model.features,
                            cmvn: model.cmvn, inputMean: model.inputMean, inputScale: model.inputScale,
                            weightCount: model.network.parameterCount, writtenBy: "parrot",
                            criterion: model.criterion == .framewise ? nil : model.criterion,
                            varianceNormalization: model.varianceNormalization == .none ? nil : model.varianceNormalization)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(header))
        var bytes = magic
        append(UInt32(formatVersion), to: &bytes)
        append(UInt64(json.count), to: &bytes)
        bytes += json
        bytes.reserveCapacity(bytes.count + 4 * model.network.parameterCount + 4)
        appendFloats(model.network.parameters, to: &bytes)
        append(checksum(bytes), to: &bytes)
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit()
    }

    /// Reads a model.
    /// - Throws: `AcousticModelError` naming the file and what is wrong with it.
    public static func read(path: String) throws -> AcousticModel {
        let bytes = try ByteReader(path: path).readToEnd()
        guard bytes.count >= magic.count + 12, Array(bytes[0..<magic.count]) == magic else { throw AcousticModelError.notAModelFile(path: path) }
        var offset = magic.count
        let version = Int(read(UInt32.self, bytes, &offset))
        guard version <= formatVersion else {
            throw AcousticModelError.unsupportedVersion(path: path, version: version, supported: formatVersion)
        }
        let declaredLength = read(UInt64.self, bytes, &offset)
        guard declaredLength < UInt64(bytes.count - offset) else {
            throw AcousticModelError.truncated(path: path, expectedBytes: declaredLength > UInt64(Int.max / 2) ? Int.max : offset + Int(declaredLength), actualBytes: bytes.count)
        }
        let headerLength = Int(declaredLength)
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[offset..<(offset + headerLength)])) } catch {
            throw AcousticModelError.corrupt(path: path, reason: "unreadable header (\(error))")
        }
        offset += headerLength
        // Sizes from the header are checked before anything is computed or allocated from them.
        guard header.configuration.isPlausible, header.weightCount >= 0 else {
            throw AcousticModelError.corrupt(path: path, reason: "implausible sizes in the header")
        }
        guard header.weightCount <= (bytes.count - offset) / 4 else {
            throw AcousticModelError.truncated(path: path, expectedBytes: offset + 4 * header.weightCount + 4, actualBytes: bytes.count)
        }
        let expected = offset + 4 * header.weightCount + 4
        guard bytes.count >= expected else { throw AcousticModelError.truncated(path: path, expectedBytes: expected, actualBytes: bytes.count) }
        guard bytes.count == expected else { throw AcousticModelError.corrupt(path: path, reason: "\(bytes.count - expected) unexpected trailing bytes") }
        let parameters = readFloats(bytes, at: offset, count: header.weightCount)
        offset += 4 * header.weightCount
        let stored = read(UInt32.self, bytes, &offset)
        guard stored == checksum(bytes[0..<(expected - 4)]) else { throw AcousticModelError.corrupt(path: path, reason: "checksum mismatch") }
        guard ParameterLayout(header.configuration).count == header.weightCount,
              header.classLabels.count == header.configuration.classes,
              header.criterion != .ctc || header.classLabels.last == CTC.blankLabel,
              header.inputMean.count == header.configuration.inputDimension, header.inputScale.count == header.configuration.inputDimension else {
            throw AcousticModelError.corrupt(path: path, reason: "header and weights disagree")
        }
        return AcousticModel(features: header.features, cmvn: header.cmvn, varianceNormalization: header.varianceNormalization ?? .none, inputMean: header.inputMean, inputScale: header.inputScale,
                             classLabels: header.classLabels, network: BiLSTMNetwork(configuration: header.configuration, parameters: parameters),
                             criterion: header.criterion ?? .framewise)
    }

    /// FNV-1a hash of `bytes` (32 bits), the model and checkpoint files' checksum.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { checksum(bytes[...]) }

    /// FNV-1a hash of part of a file's bytes, without copying them.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        bytes.withUnsafeBufferPointer { buffer in
            for b in buffer { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        }
        return hash
    }

    /// `count` little-endian IEEE 754 singles from `bytes` at `offset` (one copy on a little-endian machine).
    /// - Precondition: the bytes are there.
    public static func readFloats(_ bytes: [UInt8], at offset: Int, count: Int) -> [Float] {
        precondition(offset >= 0 && count >= 0 && offset + 4 * count <= bytes.count, "reading past the end of the bytes")
        #if _endian(little)
        return [Float](unsafeUninitializedCapacity: count) { values, initialized in
            UnsafeMutableRawBufferPointer(values).copyBytes(from: bytes[offset..<(offset + 4 * count)])
            initialized = count
        }
        #else
        var values = [Float](repeating: 0, count: count)
        var position = offset
        for i in 0..<count { values[i] = Float(bitPattern: read(UInt32.self, bytes, &position)) }
        return values
        #endif
    }

    /// Appends `values` as little-endian IEEE 754 singles (one copy on a little-endian machine).
    public static func appendFloats(_ values: [Float], to bytes: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes += $0 }
        #else
        for value in values { append(value.bitPattern, to: &bytes) }
        #endif
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ offset: inout Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += MemoryLayout<T>.size
        return value
    }
}
