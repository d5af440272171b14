import Corpus
import Foundation
import KaldiIO

/// Everything needed to use a trained network without the recipe: topology, class labels,
/// how features are made and normalised, and the weights.
public struct AcousticModel {
    /// Feature extraction settings (as `parrot features` wrote them in `feats.json`), if known.
    public var features: FeatureJobOptions?
    /// How CMVN statistics are applied before the network: `speaker`, `utterance` or `none`.
    public var cmvn: CMVNMode
    /// Per-dimension mean and standard deviation of the (CMVN-applied, spliced) training input,
    /// subtracted and divided before the network.
    public var inputMean: [Float]
    public var inputScale: [Float]
    /// Name of each output class (phone), index = class number.
    public var classLabels: [String]
    public var network: BiLSTMNetwork

    public init(features: FeatureJobOptions?, cmvn: CMVNMode, inputMean: [Float], inputScale: [Float],
                classLabels: [String], network: BiLSTMNetwork) {
        self.features = features
        self.cmvn = cmvn
        self.inputMean = inputMean
        self.inputScale = inputScale
        self.classLabels = classLabels
        self.network = network
    }

    public var configuration: AcousticModelConfiguration { network.configuration }
}

/// What can go wrong with model files and training.
public enum AcousticModelError: Error, Equatable, CustomStringConvertible, Sendable {
    case notAModelFile(path: String)
    case unsupportedVersion(path: String, version: Int, supported: Int)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case corrupt(path: String, reason: String)
    case noTrainingData(reason: String)
    case targetsMismatch(utterance: String, frames: Int, targets: Int)
    case badTarget(utterance: String, value: Int32, classes: Int)
    case dimensionMismatch(utterance: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .notAModelFile(path): return "\(path): not a Parrot model file"
        case let .unsupportedVersion(path, version, supported): return "\(path): model format version \(version) is newer than this Parrot supports (\(supported)); upgrade Parrot"
        case let .truncated(path, expected, actual): return "\(path): truncated model file (\(actual) bytes, expected \(expected))"
        case let .corrupt(path, reason): return "\(path): corrupt model file: \(reason)"
        case let .noTrainingData(reason): return "no training data: \(reason)"
        case let .targetsMismatch(utterance, frames, targets): return "utterance \(utterance): \(frames) feature frames but \(targets) targets"
        case let .badTarget(utterance, value, classes): return "utterance \(utterance): target \(value) outside 0..<\(classes)"
        case let .dimensionMismatch(utterance, expected, found): return "utterance \(utterance): features have dimension \(found), the model expects \(expected)"
        }
    }
}

extension AcousticModel {
    /// Network log-posteriors of one utterance (`frames × classes`; no rows for no frames).
    /// - Parameter features: the utterance's raw features when already read (read from `source` otherwise).
    public func logPosteriors(_ utterance: String, features: Matrix? = nil, source: FeatureSource, workspace: NetworkWorkspace) throws -> Matrix {
        try logPosteriors([utterance], features: [features ?? source.rawFeatures(utterance)], source: source, workspace: workspace)[0]
    }

    /// Network log-posteriors of several utterances in one padded batch: one forward pass whose
    /// recurrent products are matrix products, several times faster than one utterance at a time
    /// (matrix-vector products). Padding does not change an utterance's values (the network masks it).
    /// - Parameter features: each utterance's raw features.
    /// - Returns: per utterance, `frames × classes` (no rows for no frames), in order.
    /// - Throws: as `logPosteriors(_:features:source:workspace:)`, for the first utterance that fails.
    public func logPosteriors(_ utterances: [String], features: [Matrix], source: FeatureSource, workspace: NetworkWorkspace) throws -> [Matrix] {
        precondition(utterances.count == features.count, "one feature matrix per utterance")
        let classes = configuration.classes
        let inputs = try zip(utterances, features).map { try source.input($0, raw: $1, splice: configuration.splice, mean: inputMean, scale: inputScale) }
        var out = inputs.map { _ in Matrix(rows: 0, columns: classes) }
        let filled = inputs.indices.filter { inputs[$0].frames > 0 }
        guard !filled.isEmpty else { return out }
        let batch = Batch(keys: filled.map { utterances[$0] }, inputs: filled.map { inputs[$0].values }, targets: nil, dimension: configuration.inputDimension)
        network.forward(batch, workspace: workspace)
        let values = workspace.logPosteriorValues(rows: batch.frames * batch.count)
        for (b, i) in filled.enumerated() {
            var matrix = [Float]()
            matrix.reserveCapacity(inputs[i].frames * classes)
            for t in 0..<inputs[i].frames {
                let row = t * batch.count + b
                matrix.append(contentsOf: values[(row * classes)..<((row + 1) * classes)])
            }
            out[i] = Matrix(rows: inputs[i].frames, columns: classes, values: matrix)
        }
        return out
    }

    /// Hybrid "scaled likelihoods": log-posteriors minus `priorScale` × log-prior of each class
    /// (unchanged when the scale is 0 or there are no priors).
    public static func scaledLikelihoods(_ logPosteriors: Matrix, logPriors: [Float]?, priorScale: Float) -> Matrix {
        guard priorScale != 0, let logPriors else { return logPosteriors }
        var scores = logPosteriors
        for t in 0..<scores.rows { for c in 0..<scores.columns { scores[t, c] -= priorScale * logPriors[c] } }
        return scores
    }
}
