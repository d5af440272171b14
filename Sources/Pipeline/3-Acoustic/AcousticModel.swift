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
    /// What CMVN divides by after subtracting the mean (`FeatureSource.varianceNormalization`).
    public var varianceNormalization: VarianceNormalization
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

    public init(features: FeatureSettings?, cmvn: CMVNMode, varianceNormalization: VarianceNormalization = .none, inputMean: [Float], inputScale: [Float],
                classLabels: [String], network: BiLSTMNetwork, criterion: TrainingCriterion = .framewise) {
        self.criterion = criterion
        self.features = features
        self.cmvn = cmvn
        self.varianceNormalization = varianceNormalization
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

    /// Network log-posteriors of several utterances in one batch: one forward pass whose
    /// recurrent products are matrix products, several times faster than one utterance at a time
    /// (matrix-vector products). The batch is packed (`Batch.init(packing:)`), longest utterance
    /// first, so no time goes to padding; an utterance's values do not depend on the others.
    /// - Parameter features: each utterance's `frames × D` features, CMVN applied.
    /// - Returns: per utterance, `frames × classes` (no rows for no frames), in order.
    /// - Throws: `AcousticModelError.inputDimension`, for the first utterance that has the wrong dimension.
    ///
    /// An utterance longer than `chunkingFrames` runs alone, in overlapping chunks (`chunkedLogPosteriors`),
    /// so that the network's memory stays that of a short batch whatever the recording's length.
    public func logPosteriors(_ features: [Matrix], workspace: NetworkWorkspace) throws -> [Matrix] {
        let classes = configuration.classes
        var out = features.map { _ in Matrix(rows: 0, columns: classes) }
        // Longest first (ties in order), as a packed batch runs them.
        let filled = features.indices.filter { features[$0].rows > 0 && features[$0].rows <= Self.chunkingFrames }
            .sorted { (features[$0].rows, $1) > (features[$1].rows, $0) }
        for i in features.indices where features[i].rows > Self.chunkingFrames {
            out[i] = try chunkedLogPosteriors(features[i], workspace: workspace)
        }
        guard !filled.isEmpty else { return out }
        let inputs = try features.map { $0.rows > 0 && $0.rows <= Self.chunkingFrames ? try input($0) : [] }
        let batch = Batch(packing: filled.map { String($0) }, inputs: filled.map { inputs[$0] }, dimension: configuration.inputDimension)
        network.forward(batch, workspace: workspace)
        let values = workspace.logPosteriorValues(rows: batch.rows)
        for (b, i) in filled.enumerated() {
            var matrix = [Float]()
            matrix.reserveCapacity(features[i].rows * classes)
            for t in 0..<features[i].rows {
                let row = batch.row(frame: t, utterance: b)
                matrix.append(contentsOf: values[(row * classes)..<((row + 1) * classes)])
            }
            out[i] = Matrix(rows: features[i].rows, columns: classes, values: matrix)
        }
        return out
    }

    /// Log-posteriors of several utterances in one batched pass (`logPosteriors(_:workspace:)`),
    /// each utterance's features given or why they could not be read; per utterance, in order,
    /// its `frames × classes` matrix or its error. An utterance that spoils the batch (features
    /// of another dimension) fails alone: the batch then runs one utterance at a time.
    public func logPosteriors(_ features: [Result<Matrix, Error>], workspace: NetworkWorkspace) -> [Result<Matrix, Error>] {
        let read = features.compactMap { try? $0.get() }
        var computed = ((try? logPosteriors(read, workspace: workspace)).map { $0.map { Result<Matrix, Error>.success($0) } }
            ?? read.map { one in Result { try logPosteriors(one, workspace: workspace) } })[...]
        return features.map { input in
            input.flatMap { _ in
                guard let scores = computed.popFirst() else { preconditionFailure("one network output per utterance read") }
                return scores
            }
        }
    }

    /// Utterances per network pass in the jobs that group utterances of about one length
    /// (alignment, re-alignment, decoding, CTC alignment). On the built-in corpus alignment takes
    /// about half the time of one utterance per pass.
    public static let batchSize = 8

    /// Utterances longer than this many frames (2 minutes at 10 ms) run in chunks.
    public static let chunkingFrames = 12_000
    /// Frames of a chunk whose outputs are kept (30 s at 10 ms).
    public static let chunkFrames = 3_000
    /// Frames each chunk sees before and after the ones it keeps (4 s at 10 ms): the
    /// recurrent layers' view of the rest of the recording. With 4 s the kept outputs agree with
    /// one pass over the whole recording to a few thousandths in log-posterior (`bench/long`).
    public static let chunkContext = 400
    /// Chunks per network pass.
    static let chunksPerPass = 4

    /// Log-posteriors of a long utterance, computed a chunk at a time: each chunk of `chunkFrames`
    /// frames runs with `chunkContext` frames of the recording on either side, whose outputs are
    /// dropped, and `chunksPerPass` chunks share a padded batch.
    /// - Parameter features: `frames × D`, CMVN applied (over the whole recording).
    public func chunkedLogPosteriors(_ features: Matrix, workspace: NetworkWorkspace,
                                     chunk: Int = chunkFrames, context: Int = chunkContext) throws -> Matrix {
        let frames = features.rows, width = features.columns, classes = configuration.classes
        var values = [Float]()
        values.reserveCapacity(frames * classes)
        let starts = Array(stride(from: 0, to: frames, by: chunk))
        for group in stride(from: 0, to: starts.count, by: Self.chunksPerPass) {
            let pieces = starts[group..<min(group + Self.chunksPerPass, starts.count)].map { start in
                let end = min(frames, start + chunk)
                let from = max(0, start - context), to = min(frames, end + context)
                let slice = Matrix(rows: to - from, columns: width, values: Array(features.values[(from * width)..<(to * width)]))
                return (slice: slice, keep: (start - from)..<(end - from))
            }
            for (piece, scores) in zip(pieces, try logPosteriors(pieces.map(\.slice), workspace: workspace)) {
                values.append(contentsOf: scores.values[(piece.keep.lowerBound * classes)..<(piece.keep.upperBound * classes)])
            }
        }
        return Matrix(rows: frames, columns: classes, values: values)
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
