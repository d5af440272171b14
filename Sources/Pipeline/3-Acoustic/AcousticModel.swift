import Audio
import Core

/// Everything needed to use a trained network without the recipe: topology, class labels,
/// how features are made and normalised, and the weights.
///
/// The model is a function of matrices: CMVN-applied features in (`frames × D`, as
/// `FeatureSource.normalizedFeatures` gives them), log-posteriors out (`frames × classes`).
/// Splicing and the input normalisation are the model's own first steps.
public struct AcousticModel {
    /// How the training features were made (as `parrot features` wrote them in `feats.json`), if known.
    public var features: FeatureSettings?
    /// How CMVN statistics are applied before the network: `speaker`, `utterance` or `none`.
    public var cmvn: CMVNMode
    /// Per-dimension mean and standard deviation of the (CMVN-applied, spliced) training input,
    /// subtracted and divided before the network.
    public var inputMean: [Float]
    public var inputScale: [Float]
    /// Name of each output class (phone), index = class number.
    public var classLabels: [String]
    public var network: BiLSTMNetwork
    /// What the outputs were trained for: per-frame phone posteriors (`framewise`, trained on
    /// alignments) or CTC's phone-or-blank posteriors (`ctc`; the last class is the blank).
    public var criterion: TrainingCriterion

    public init(features: FeatureSettings?, cmvn: CMVNMode, inputMean: [Float], inputScale: [Float],
                classLabels: [String], network: BiLSTMNetwork, criterion: TrainingCriterion = .framewise) {
        self.criterion = criterion
        self.features = features
        self.cmvn = cmvn
        self.inputMean = inputMean
        self.inputScale = inputScale
        self.classLabels = classLabels
        self.network = network
    }

    public var configuration: AcousticModelConfiguration { network.configuration }

    /// The blank class of a CTC model (its last class); nil for a framewise model.
    public var blank: Int? { criterion == .ctc ? configuration.classes - 1 : nil }

    /// The network's input for `features` (`frames × D`, CMVN applied): every frame spliced with
    /// ±`splice` neighbours, then `(x − inputMean) · inputScale`.
    /// - Returns: `frames × D·(2·splice+1)` row-major values.
    /// - Throws: `AcousticModelError.inputDimension` when `D` is not the model's feature dimension.
    public func input(_ features: Matrix) throws -> [Float] {
        let splice = configuration.splice
        let width = features.columns * (2 * splice + 1)
        guard inputMean.count == width else {
            throw AcousticModelError.inputDimension(expected: inputMean.count / (2 * splice + 1), found: features.columns)
        }
        var values = features.spliced(context: splice)
        for t in 0..<features.rows { for i in 0..<width { values[t * width + i] = (values[t * width + i] - inputMean[i]) * inputScale[i] } }
        return values
    }

    /// Network log-posteriors of one utterance.
    /// - Parameter features: `frames × D`, CMVN applied.
    /// - Returns: `frames × classes` (no rows for no frames).
    /// - Throws: `AcousticModelError.inputDimension`.
    public func logPosteriors(_ features: Matrix, workspace: NetworkWorkspace) throws -> Matrix {
        try logPosteriors([features], workspace: workspace)[0]
    }

    /// Network log-posteriors of several utterances in one padded batch: one forward pass whose
    /// recurrent products are matrix products, several times faster than one utterance at a time
    /// (matrix-vector products). Padding does not change an utterance's values (the network masks it).
    /// - Parameter features: each utterance's `frames × D` features, CMVN applied.
    /// - Returns: per utterance, `frames × classes` (no rows for no frames), in order.
    /// - Throws: `AcousticModelError.inputDimension`, for the first utterance that has the wrong dimension.
    public func logPosteriors(_ features: [Matrix], workspace: NetworkWorkspace) throws -> [Matrix] {
        let classes = configuration.classes
        let inputs = try features.map { try input($0) }
        var out = features.map { _ in Matrix(rows: 0, columns: classes) }
        let filled = features.indices.filter { features[$0].rows > 0 }
        guard !filled.isEmpty else { return out }
        let batch = Batch(keys: filled.map { String($0) }, inputs: filled.map { inputs[$0] }, targets: nil, dimension: configuration.inputDimension)
        network.forward(batch, workspace: workspace)
        let values = workspace.logPosteriorValues(rows: batch.frames * batch.count)
        for (b, i) in filled.enumerated() {
            var matrix = [Float]()
            matrix.reserveCapacity(features[i].rows * classes)
            for t in 0..<features[i].rows {
                let row = t * batch.count + b
                matrix.append(contentsOf: values[(row * classes)..<((row + 1) * classes)])
            }
            out[i] = Matrix(rows: features[i].rows, columns: classes, values: matrix)
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

/// What a network is trained to output.
public enum TrainingCriterion: String, Codable, Sendable, CaseIterable {
    /// Frame cross-entropy against an alignment: each frame's phone.
    case framewise
    /// Connectionist temporal classification: phones or a blank, trained from transcripts alone (`CTC`).
    case ctc
}
