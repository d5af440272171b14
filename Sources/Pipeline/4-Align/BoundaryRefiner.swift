import Acoustic
import Core
import Foundation
import KaldiIO
import Transcription

/// Moves an alignment's phone boundaries to where a reference labelling puts them: a small
/// network, trained on utterances that have reference times (hand-corrected TextGrids, or the
/// synthesizer's times on the built-in corpus), that looks at the features around each boundary
/// the aligner found and at the two phones it separates, and predicts how far the reference
/// boundary lies from it — the boundary-specific correction of HMM segmentation (Toledano et al.
/// 2003) with a network instead of regression trees.
///
/// Flat-start alignment places a boundary where the acoustic model's classes change; labelling
/// conventions place some elsewhere (eSpeak gives a nasal's release into a vowel to the nasal,
/// a dark L's colouring of the vowel before it to the vowel). The refiner learns such
/// conventions from examples; it cannot invent them.
///
/// Input, per boundary before frame t: CMVN-applied features of frames t − `context` ..< t +
/// `context` (edges repeated), then a one-hot of the left phone and one of the right phone
/// (`2·context·D + 2·C` values), standardised. One ReLU hidden layer; a softmax over `offsets`;
/// the prediction is the posterior mean offset.
public struct BoundaryRefiner: Codable, Equatable, Sendable {
    public static let formatVersion = 1
    public var version = BoundaryRefiner.formatVersion
    /// Class labels of the acoustic model the refiner was trained with, index = class.
    public var labels: [String]
    /// Frames on each side of a boundary in the input.
    public var context: Int
    /// Feature dimension D.
    public var featureDimension: Int
    /// Offsets from the aligner's boundary to the reference one, in seconds: the output classes.
    public var offsets: [Double]
    public var hiddenUnits: Int
    /// Input standardisation, `(x − mean) · scale` per input value.
    public var inputMean: [Float]
    public var inputScale: [Float]
    /// Weights, flat: W₁ (`inputSize × hiddenUnits`), b₁, W₂ (`hiddenUnits × offsets.count`), b₂.
    public var parameters: [Float]

    public init(labels: [String], context: Int, featureDimension: Int, offsets: [Double], hiddenUnits: Int,
                inputMean: [Float], inputScale: [Float], parameters: [Float]) {
        self.labels = labels
        self.context = context
        self.featureDimension = featureDimension
        self.offsets = offsets
        self.hiddenUnits = hiddenUnits
        self.inputMean = inputMean
        self.inputScale = inputScale
        self.parameters = parameters
    }

    /// Values per boundary input.
    public var inputSize: Int { BoundaryRefiner.inputSize(context: context, featureDimension: featureDimension, classes: labels.count) }

    public static func inputSize(context: Int, featureDimension: Int, classes: Int) -> Int {
        2 * context * featureDimension + 2 * classes
    }

    public static func parameterCount(inputSize: Int, hiddenUnits: Int, outputs: Int) -> Int {
        inputSize * hiddenUnits + hiddenUnits + hiddenUnits * outputs + outputs
    }

    /// Appends the input of the boundary before frame `frame` between classes `left` and `right`
    /// to `buffer` (not yet standardised). `features` is `T × D`.
    public static func appendInput(features: Matrix, frame: Int, left: Int, right: Int, context: Int, classes: Int, to buffer: inout [Float]) {
        for t in (frame - context)..<(frame + context) {
            buffer.append(contentsOf: features.row(min(max(t, 0), features.rows - 1)))
        }
        var oneHot = [Float](repeating: 0, count: 2 * classes)
        oneHot[left] = 1
        oneHot[classes + right] = 1
        buffer.append(contentsOf: oneHot)
    }

    /// Class index of each label (the first, should a label repeat).
    public static func classIndex(_ labels: [String]) -> [String: Int] {
        Dictionary(labels.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// The boundaries of `alignment` a refiner sees: index into `phones` of the phone after the
    /// boundary, and the class indices on either side (boundaries next to a label not in
    /// `classIndex` are left out).
    static func boundaries(of alignment: UtteranceAlignment, classIndex: [String: Int]) -> [(phone: Int, left: Int, right: Int)] {
        alignment.phones.indices.dropFirst().compactMap { i in
            guard let left = classIndex[alignment.phones[i - 1].label], let right = classIndex[alignment.phones[i].label] else { return nil }
            return (i, left, right)
        }
    }

    /// Posterior mean offset in seconds of each of `count` standardised inputs.
    func predictedOffsets(standardizedInputs x: [Float], count: Int) -> [Double] {
        let forward = BoundaryRefiner.forward(parameters: parameters, inputs: x, count: count, inputSize: inputSize,
                                              hiddenUnits: hiddenUnits, outputs: offsets.count)
        return (0..<count).map { n in
            (0..<offsets.count).reduce(0.0) { $0 + Double(forward.probabilities[n * offsets.count + $1]) * offsets[$1] }
        }
    }

    /// Sets `alignment.refinedBoundaries`: every phone boundary moved by its predicted offset,
    /// then kept in order with at least `minimumGap` seconds between neighbours and inside the
    /// utterance. Word boundaries move with the phone boundaries they coincide with.
    /// - Parameters:
    ///   - features: the utterance's CMVN-applied features, `T × D`.
    ///   - writer: the frame-grid times of the features' frames.
    /// - Throws: `AlignError.refinerMismatch` when the features have another dimension.
    public func refine(_ alignment: inout UtteranceAlignment, features: Matrix, writer: AlignmentWriter, minimumGap: Double = 0.005) throws {
        guard features.columns == featureDimension else {
            throw AlignError.refinerMismatch(reason: "utterance \(alignment.utterance) has \(features.columns)-dimensional features, the refiner was trained on \(featureDimension)")
        }
        let boundaries = BoundaryRefiner.boundaries(of: alignment, classIndex: BoundaryRefiner.classIndex(labels))
        guard !boundaries.isEmpty, features.rows > 0 else { return }
        var inputs = [Float]()
        inputs.reserveCapacity(boundaries.count * inputSize)
        for b in boundaries {
            BoundaryRefiner.appendInput(features: features, frame: alignment.phones[b.phone].start, left: b.left, right: b.right,
                                        context: context, classes: labels.count, to: &inputs)
        }
        standardize(&inputs)
        let shifts = predictedOffsets(standardizedInputs: inputs, count: boundaries.count)
        var times = zip(boundaries, shifts).map { writer.time(alignment.phones[$0.0.phone].start) + $0.1 }
        let end = writer.time(alignment.phones[alignment.phones.count - 1].end)
        var lower = 0.0
        for i in times.indices {
            times[i] = max(times[i], lower + minimumGap)
            lower = times[i]
        }
        var upper = end
        for i in times.indices.reversed() {
            times[i] = min(times[i], upper - minimumGap)
            upper = times[i]
        }
        alignment.refinedBoundaries = [:]
        for (b, time) in zip(boundaries, times) { alignment.refinedBoundaries[alignment.phones[b.phone].start] = time }
    }

    /// `(x − mean) · scale` for every input in `inputs` (a multiple of `inputSize` values).
    public func standardize(_ inputs: inout [Float]) {
        BoundaryRefiner.standardize(&inputs, mean: inputMean, scale: inputScale)
    }

    public static func standardize(_ inputs: inout [Float], mean: [Float], scale: [Float]) {
        let width = mean.count
        for n in 0..<(inputs.count / width) {
            for i in 0..<width { inputs[n * width + i] = (inputs[n * width + i] - mean[i]) * scale[i] }
        }
    }

    /// Reads a refiner file (JSON).
    /// - Throws: `AlignError.refinerMismatch` for a newer format or inconsistent sizes.
    public static func read(path: String) throws -> BoundaryRefiner {
        let refiner = try JSONFile.read(BoundaryRefiner.self, from: path)
        guard refiner.version <= formatVersion else {
            throw AlignError.refinerMismatch(reason: "\(path) has format version \(refiner.version); this parrot reads up to \(formatVersion)")
        }
        guard refiner.context >= 1, refiner.hiddenUnits >= 1, !refiner.offsets.isEmpty, !refiner.labels.isEmpty,
              refiner.inputMean.count == refiner.inputSize, refiner.inputScale.count == refiner.inputSize,
              refiner.parameters.count == parameterCount(inputSize: refiner.inputSize, hiddenUnits: refiner.hiddenUnits, outputs: refiner.offsets.count) else {
            throw AlignError.refinerMismatch(reason: "\(path) is damaged: its sizes do not agree")
        }
        return refiner
    }

    /// Writes the refiner as JSON (temporary file, then rename).
    public func write(to path: String) throws {
        try JSONFile.write(self, to: path)
    }

    // MARK: The network

    /// Hidden activations (`count × hiddenUnits`, after the ReLU) and output probabilities
    /// (`count × outputs`) of standardised `inputs` (`count × inputSize`).
    static func forward(parameters: [Float], inputs: [Float], count: Int, inputSize: Int, hiddenUnits: Int, outputs: Int)
        -> (hidden: [Float], probabilities: [Float]) {
        let (w1, b1, w2, b2) = split(parameters, inputSize: inputSize, hiddenUnits: hiddenUnits, outputs: outputs)
        var hidden = [Float](repeating: 0, count: count * hiddenUnits)
        for n in 0..<count { for j in 0..<hiddenUnits { hidden[n * hiddenUnits + j] = b1[j] } }
        BLAS.gemm(m: count, n: hiddenUnits, k: inputSize, a: inputs, b: w1, c: &hidden, beta: 1)
        for i in hidden.indices where hidden[i] < 0 { hidden[i] = 0 }
        var logits = [Float](repeating: 0, count: count * outputs)
        for n in 0..<count { for k in 0..<outputs { logits[n * outputs + k] = b2[k] } }
        BLAS.gemm(m: count, n: outputs, k: hiddenUnits, a: hidden, b: w2, c: &logits, beta: 1)
        for n in 0..<count {
            let row = n * outputs
            var largest = -Float.infinity
            for k in 0..<outputs { largest = max(largest, logits[row + k]) }
            var total: Float = 0
            for k in 0..<outputs { logits[row + k] = expf(logits[row + k] - largest); total += logits[row + k] }
            for k in 0..<outputs { logits[row + k] /= total }
        }
        return (hidden, logits)
    }

    /// Mean cross-entropy of `targets` (output class per input) and its gradient with respect to
    /// `parameters`.
    public static func lossAndGradient(parameters: [Float], inputs: [Float], targets: [Int], inputSize: Int, hiddenUnits: Int, outputs: Int)
        -> (loss: Double, gradient: [Float]) {
        let count = targets.count
        let (hidden, probabilities) = forward(parameters: parameters, inputs: inputs, count: count, inputSize: inputSize,
                                              hiddenUnits: hiddenUnits, outputs: outputs)
        var loss = 0.0
        var outputGradient = probabilities
        for n in 0..<count {
            loss -= log(Double(max(probabilities[n * outputs + targets[n]], 1e-30)))
            outputGradient[n * outputs + targets[n]] -= 1
        }
        let scale = 1 / Float(count)
        for i in outputGradient.indices { outputGradient[i] *= scale }
        let (_, _, w2, _) = split(parameters, inputSize: inputSize, hiddenUnits: hiddenUnits, outputs: outputs)
        var gw2 = [Float](repeating: 0, count: hiddenUnits * outputs)
        BLAS.gemm(m: hiddenUnits, n: outputs, k: count, a: hidden, transposeA: true, b: outputGradient, c: &gw2)
        var gb2 = [Float](repeating: 0, count: outputs)
        for n in 0..<count { for k in 0..<outputs { gb2[k] += outputGradient[n * outputs + k] } }
        var hiddenGradient = [Float](repeating: 0, count: count * hiddenUnits)
        BLAS.gemm(m: count, n: hiddenUnits, k: outputs, a: outputGradient, b: w2, transposeB: true, c: &hiddenGradient)
        for i in hiddenGradient.indices where hidden[i] <= 0 { hiddenGradient[i] = 0 }
        var gw1 = [Float](repeating: 0, count: inputSize * hiddenUnits)
        BLAS.gemm(m: inputSize, n: hiddenUnits, k: count, a: inputs, transposeA: true, b: hiddenGradient, c: &gw1)
        var gb1 = [Float](repeating: 0, count: hiddenUnits)
        for n in 0..<count { for j in 0..<hiddenUnits { gb1[j] += hiddenGradient[n * hiddenUnits + j] } }
        return (loss / Double(count), gw1 + gb1 + gw2 + gb2)
    }

    /// The four weight blocks of a flat parameter vector.
    static func split(_ p: [Float], inputSize: Int, hiddenUnits: Int, outputs: Int) -> ([Float], [Float], [Float], [Float]) {
        let a = inputSize * hiddenUnits, b = a + hiddenUnits, c = b + hiddenUnits * outputs
        return (Array(p[0..<a]), Array(p[a..<b]), Array(p[b..<c]), Array(p[c..<(c + outputs)]))
    }
}
