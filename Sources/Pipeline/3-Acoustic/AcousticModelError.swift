/// What can go wrong with model files and training.
public enum AcousticModelError: Error, Equatable, CustomStringConvertible, Sendable {
    case notAModelFile(path: String)
    case unsupportedVersion(path: String, version: Int, supported: Int)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case corrupt(path: String, reason: String)
    case noTrainingData(reason: String)
    case targetsMismatch(utterance: String, frames: Int, targets: Int)
    case badTarget(utterance: String, value: Int32, classes: Int)
    /// A CTC label sequence needs more frames (a label each, a blank between equal labels) than the utterance has.
    case labelsTooLong(utterance: String, frames: Int, needed: Int)
    case dimensionMismatch(utterance: String, expected: Int, found: Int)
    /// Features given to a model have another dimension than it was trained on.
    case inputDimension(expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .notAModelFile(path): return "\(path): not a Parrot model file"
        case let .unsupportedVersion(path, version, supported): return "\(path): model format version \(version) is newer than this Parrot supports (\(supported)); upgrade Parrot"
        case let .truncated(path, expected, actual): return "\(path): truncated model file (\(actual) bytes, expected \(expected))"
        case let .corrupt(path, reason): return "\(path): corrupt model file: \(reason)"
        case let .noTrainingData(reason): return "no training data: \(reason)"
        case let .targetsMismatch(utterance, frames, targets): return "utterance \(utterance): \(frames) feature frames but \(targets) targets"
        case let .badTarget(utterance, value, classes): return "utterance \(utterance): target \(value) outside 0..<\(classes)"
        case let .labelsTooLong(utterance, frames, needed):
            return "utterance \(utterance): \(frames) feature frames, too few for its transcript (CTC needs \(needed): a frame per phone, and a blank between repeated phones)"
        case let .dimensionMismatch(utterance, expected, found): return "utterance \(utterance): features have dimension \(found), the model expects \(expected)"
        case let .inputDimension(expected, found): return "features have dimension \(found), the model expects \(expected)"
        }
    }
}
