import Acoustic
import Align
import Core
import Foundation
import KaldiIO
import Transcription

/// Settings of boundary refiner training.
public struct BoundaryRefinerOptions: Codable, Equatable, Sendable {
    /// Frames on each side of a boundary the refiner sees. Default 4.
    public var context = 4
    /// Units of the hidden layer. Default 128.
    public var hiddenUnits = 128
    /// Largest offset the refiner predicts, in milliseconds; reference boundaries further from the
    /// aligner's are learnt as this far. Default 60.
    public var maximumOffsetMilliseconds = 60.0
    /// Spacing of the offsets it chooses among, in milliseconds. Default 5.
    public var stepMilliseconds = 5.0
    /// Passes over the examples. Default 30.
    public var epochs = 30
    /// Boundaries per update. Default 256.
    public var batchSize = 256
    /// Adam's step size. Default 0.001.
    public var learningRate: Float = 0.001
    /// Seed of the initial weights and of the order of examples. Default 1.
    public var seed: UInt64 = 1

    public init() {}

    /// The output classes: offsets in seconds from −maximum to +maximum in steps.
    var offsets: [Double] {
        let steps = max(1, Int((maximumOffsetMilliseconds / stepMilliseconds).rounded()))
        return (-steps...steps).map { Double($0) * stepMilliseconds / 1000 }
    }
}

/// Training examples for a `BoundaryRefiner` and its training: each example is an aligner's
/// boundary matched (by label, on an edit-distance alignment of the phone sequences) to a
/// reference boundary, with the offset between the two as its target.
public struct BoundaryRefinerTrainer {
    public let labels: [String]
    public let featureDimension: Int
    public let options: BoundaryRefinerOptions
    /// Inputs (`count × inputSize`, not standardised) and output classes of the examples so far.
    public private(set) var inputs: [Float] = []
    public private(set) var targets: [Int] = []
    public var count: Int { targets.count }
    private let classIndex: [String: Int]

    public init(labels: [String], featureDimension: Int, options: BoundaryRefinerOptions = BoundaryRefinerOptions()) {
        self.labels = labels
        self.featureDimension = featureDimension
        self.options = options
        classIndex = BoundaryRefiner.classIndex(labels)
    }

    public var inputSize: Int { BoundaryRefiner.inputSize(context: options.context, featureDimension: featureDimension, classes: labels.count) }

    /// The examples of one utterance.
    /// - Parameters:
    ///   - alignment: the aligner's alignment.
    ///   - reference: the reference phones of the same utterance, in order.
    ///   - features: its CMVN-applied features, `T × D`.
    ///   - writer: the frame-grid times of the features' frames.
    /// - Returns: inputs (`n × inputSize`) and targets of the n matched boundaries.
    /// - Throws: `AlignError.refinerMismatch` when the features have another dimension.
    public func examples(_ alignment: UtteranceAlignment, reference: [CTMEntry], features: Matrix, writer: AlignmentWriter) throws
        -> (inputs: [Float], targets: [Int]) {
        guard features.columns == featureDimension else {
            throw AlignError.refinerMismatch(reason: "utterance \(alignment.utterance) has \(features.columns)-dimensional features, expected \(featureDimension)")
        }
        let offsets = options.offsets
        let step = options.stepMilliseconds / 1000, largest = offsets.last!
        let hypothesis = alignment.phones
        var inputs = [Float](), targets = [Int]()
        for (i, j) in BoundaryEvaluation.match(reference.map(\.label), hypothesis.map(\.label)) where j > 0 && reference[i].start > 0 {
            guard let left = classIndex[hypothesis[j - 1].label], let right = classIndex[hypothesis[j].label] else { continue }
            let offset = min(max(reference[i].start - writer.time(hypothesis[j].start), -largest), largest)
            BoundaryRefiner.appendInput(features: features, frame: hypothesis[j].start, left: left, right: right,
                                        context: options.context, classes: labels.count, to: &inputs)
            targets.append(min(offsets.count - 1, max(0, Int(((offset + largest) / step).rounded()))))
        }
        return (inputs, targets)
    }

    /// Adds examples (as `examples` returns them).
    public mutating func add(_ examples: (inputs: [Float], targets: [Int])) {
        precondition(examples.inputs.count == examples.targets.count * inputSize, "examples of another input size")
        inputs += examples.inputs
        targets += examples.targets
    }

    /// Trains a refiner on the examples added.
    /// - Parameter onEpoch: called after each epoch with its number (1-based) and mean cross-entropy.
    /// - Throws: `AlignError.noReferenceBoundaries` without examples.
    public func train(onEpoch: ((Int, Double) -> Void)? = nil) throws -> BoundaryRefiner {
        guard count > 0 else { throw AlignError.noReferenceBoundaries(reason: "no aligned boundary matched a reference boundary") }
        let width = inputSize, hidden = options.hiddenUnits, offsets = options.offsets
        // Standardisation of every input value over the examples.
        var mean = [Double](repeating: 0, count: width), square = [Double](repeating: 0, count: width)
        for n in 0..<count {
            for i in 0..<width {
                let x = Double(inputs[n * width + i])
                mean[i] += x
                square[i] += x * x
            }
        }
        let inputMean = mean.map { Float($0 / Double(count)) }
        let inputScale = (0..<width).map { i -> Float in
            let variance = max(0, square[i] / Double(count) - (mean[i] / Double(count)) * (mean[i] / Double(count)))
            return Float(1 / max(variance.squareRoot(), 1e-3))
        }
        var standardized = inputs
        BoundaryRefiner.standardize(&standardized, mean: inputMean, scale: inputScale)

        var random = SeededGenerator(seed: options.seed)
        var parameters = [Float]()
        parameters.reserveCapacity(BoundaryRefiner.parameterCount(inputSize: width, hiddenUnits: hidden, outputs: offsets.count))
        let deviation1 = 1 / Double(width).squareRoot(), deviation2 = 1 / Double(hidden).squareRoot()
        for _ in 0..<(width * hidden) { parameters.append(Float(random.gaussian() * deviation1)) }
        parameters += [Float](repeating: 0, count: hidden)
        for _ in 0..<(hidden * offsets.count) { parameters.append(Float(random.gaussian() * deviation2)) }
        parameters += [Float](repeating: 0, count: offsets.count)

        var optimizer = AdamOptimizer(parameterCount: parameters.count, learningRate: options.learningRate)
        var order = Array(0..<count)
        for epoch in 1...max(1, options.epochs) {
            order.shuffle(using: &random)
            var total = 0.0
            for start in stride(from: 0, to: count, by: options.batchSize) {
                let batch = order[start..<min(count, start + options.batchSize)]
                var x = [Float]()
                x.reserveCapacity(batch.count * width)
                for n in batch { x.append(contentsOf: standardized[(n * width)..<((n + 1) * width)]) }
                let (loss, gradient) = BoundaryRefiner.lossAndGradient(parameters: parameters, inputs: x, targets: batch.map { targets[$0] },
                                                                       inputSize: width, hiddenUnits: hidden, outputs: offsets.count)
                total += loss * Double(batch.count)
                optimizer.update(parameters: &parameters, gradient: gradient)
            }
            onEpoch?(epoch, total / Double(count))
        }
        return BoundaryRefiner(labels: labels, context: options.context, featureDimension: featureDimension, offsets: offsets,
                               hiddenUnits: hidden, inputMean: inputMean, inputScale: inputScale, parameters: parameters)
    }
}
