@testable import Acoustic
import Core
import Testing

/// Long recordings run through the network in overlapping chunks (`AcousticModel.chunkedLogPosteriors`).
@Suite struct ChunkedForwardTests {
    /// Equal up to rounding: every value within 1e-5 of the other (log-posteriors near −1.4;
    /// an FP32 ulp there is 1.2e-7). On a CPU with AVX-512 the outputs are bit for bit equal;
    /// without it (OpenBLAS's Zen kernels, the portable LSTM step) the same sums in batches of
    /// other shapes were seen to differ in the last bit or two. A wrong frame, utterance or
    /// direction moves them by far more: neighbouring frames here differ by 1e-4 and more.
    static func sameToRounding(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }
    }

    static func features(frames: Int, seed: UInt64) -> Matrix {
        var random = SeededGenerator(seed: seed)
        // A slowly wandering signal plus noise, so that the recurrent layers carry something along.
        var level: Float = 0
        var values = [Float]()
        for _ in 0..<frames {
            level = 0.95 * level + Float.random(in: -0.3...0.3, using: &random)
            for _ in 0..<5 { values.append(level + Float.random(in: -0.5...0.5, using: &random)) }
        }
        return Matrix(rows: frames, columns: 5, values: values)
    }

    static func largestDifference(_ a: Matrix, _ b: Matrix) -> Float {
        zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
    }

    /// With context covering the whole utterance every chunk sees all of it, so the kept outputs
    /// are one pass's; with less context they differ, less the more context there is; chunk edges
    /// fall everywhere (chunks of 37 frames over 300).
    @Test func chunksWithEnoughContextGiveTheWholePassOutputs() throws {
        let model = ModelFileTests.model()
        let workspace = NetworkWorkspace()
        let features = Self.features(frames: 300, seed: 3)
        let whole = try model.logPosteriors([features], workspace: workspace)[0]
        let full = try model.chunkedLogPosteriors(features, workspace: workspace, chunk: 37, context: 300)
        #expect(full.rows == 300 && full.columns == 3)
        #expect(Self.largestDifference(full, whole) < 1e-5)
        let none = Self.largestDifference(try model.chunkedLogPosteriors(features, workspace: workspace, chunk: 37, context: 0), whole)
        let some = Self.largestDifference(try model.chunkedLogPosteriors(features, workspace: workspace, chunk: 37, context: 10), whole)
        let more = Self.largestDifference(try model.chunkedLogPosteriors(features, workspace: workspace, chunk: 37, context: 40), whole)
        #expect(none > 1e-4)
        #expect(some < none && more < some)
    }

    /// `logPosteriors` of a batch runs an utterance over `chunkingFrames` alone in chunks, and the
    /// short utterances beside it exactly as without it.
    @Test func aLongUtteranceInABatchRunsInChunks() throws {
        let model = ModelFileTests.model()
        let workspace = NetworkWorkspace()
        let short = Self.features(frames: 50, seed: 1)
        let long = Self.features(frames: AcousticModel.chunkingFrames + 500, seed: 2)
        let together = try model.logPosteriors([short, long, short], workspace: workspace)
        let alone = try model.logPosteriors([short, short], workspace: workspace)
        #expect(together[0].values == alone[0].values && together[2].values == alone[1].values)
        #expect(together[1].values == (try model.chunkedLogPosteriors(long, workspace: workspace)).values)
        #expect(together[1].rows == long.rows)
    }
}

/// A workspace for inference alone shares its buffers between layers and holds one block of time
/// steps' input projections and two steps' cells (`NetworkWorkspace.forInference`).
@Suite struct InferenceWorkspaceTests {
    /// Three layers, so that a layer reads the output buffer the layer before last wrote: the
    /// same log-posteriors as a training workspace (to the last bits, `sameToRounding`), for batches of several lengths
    /// run one after another (the buffers grow and are reused). Batches of 2 and 1 utterances of
    /// 600 and 1,100 frames take three blocks of input projections each (256 and 512 steps, the
    /// last one shorter), which the backward direction walks from the end; with and without an
    /// LSTMP projection, in FP32 and, where the CPU has it, BF16.
    @Test(arguments: [0, 3], Precision.allCases.filter(\.isAvailable))
    func sharedBuffersGiveTheTrainingWorkspaceOutputs(projection: Int, precision: Precision) throws {
        var random = SeededGenerator(seed: 11)
        let configuration = AcousticModelConfiguration(featureDimension: 5, classes: 4, layers: 3, hiddenUnits: 6, splice: 0, projection: projection)
        let model = AcousticModel(features: nil, cmvn: .none, inputMean: [Float](repeating: 0, count: 5), inputScale: [Float](repeating: 1, count: 5),
                                  classLabels: ["SIL", "A", "B", "C"], network: BiLSTMNetwork(configuration: configuration, random: &random))
        let training = NetworkWorkspace(), inference = NetworkWorkspace.forInference()
        (training.precision, inference.precision) = (precision, precision)
        #expect(inference.inferenceBlockSteps(utterances: 2) == 256 && inference.inferenceBlockSteps(utterances: 1) == 512)
        for (n, lengths) in [[30, 12], [600, 300], [80, 80, 5], [7], [1100]].enumerated() {
            let batch = lengths.enumerated().map { ChunkedForwardTests.features(frames: $1, seed: UInt64(10 * n + $0)) }
            let expected = try model.logPosteriors(batch, workspace: training)
            let found = try model.logPosteriors(batch, workspace: inference)
            #expect(zip(found, expected).allSatisfy { ChunkedForwardTests.sameToRounding($0.values, $1.values) })
        }
        #expect(inference.inferenceOnly && !training.inferenceOnly)
    }

    /// A packed batch (each time step holds only the utterances still running) gives every
    /// utterance the log-posteriors of the padded batch (to the last bits): the backward direction
    /// starts each utterance at its own last frame, ties and a one-frame utterance included, over
    /// several blocks of input projections (102 steps for 5 utterances), in both kinds of
    /// workspace, with and without LSTMP, in FP32 and, where the CPU has it, BF16.
    @Test(arguments: [0, 3], Precision.allCases.filter(\.isAvailable))
    func packedBatchesGiveThePaddedBatchesOutputs(projection: Int, precision: Precision) {
        var random = SeededGenerator(seed: 12)
        let configuration = AcousticModelConfiguration(featureDimension: 5, classes: 4, layers: 3, hiddenUnits: 6, splice: 0, projection: projection)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        let lengths = [600, 599, 300, 300, 1]
        let inputs = lengths.enumerated().map { ChunkedForwardTests.features(frames: $1, seed: UInt64(20 + $0)).values }
        let keys = lengths.indices.map { "u\($0)" }
        let padded = Batch(keys: keys, inputs: inputs, targets: nil, dimension: 5)
        let packed = Batch(packing: keys, inputs: inputs, dimension: 5)
        #expect(packed.isPacked && packed.rows == 1800 && packed.stepRows(0) == 5 && packed.stepRows(1) == 4 && packed.stepRows(300) == 2)
        for workspace in [NetworkWorkspace(), NetworkWorkspace.forInference()] {
            workspace.precision = precision
            network.forward(padded, workspace: workspace)
            let expected = workspace.logPosteriorValues(rows: padded.rows)
            network.forward(packed, workspace: workspace)
            let found = workspace.logPosteriorValues(rows: packed.rows)
            for (b, n) in lengths.enumerated() {
                for t in 0..<n {
                    let p = packed.row(frame: t, utterance: b), q = padded.row(frame: t, utterance: b)
                    #expect(ChunkedForwardTests.sameToRounding(Array(found[(4 * p)..<(4 * p + 4)]), Array(expected[(4 * q)..<(4 * q + 4)])), "utterance \(b), frame \(t)")
                }
            }
        }
    }

    /// An inference workspace keeps its packed weights from one batch to the next, but only for
    /// the same network's same weights: after another network, after the weights change in place
    /// (as an optimiser step changes them) and after a change of precision, its outputs are those
    /// of a fresh workspace, bit for bit. Stale packed weights would give the earlier outputs.
    @Test(arguments: Precision.allCases.filter(\.isAvailable))
    func anInferenceWorkspaceRepacksWhenTheWeightsChange(precision: Precision) {
        var random = SeededGenerator(seed: 13)
        let configuration = AcousticModelConfiguration(featureDimension: 5, classes: 4, layers: 2, hiddenUnits: 6, splice: 0)
        let first = BiLSTMNetwork(configuration: configuration, random: &random)
        let second = BiLSTMNetwork(configuration: configuration, random: &random)
        let lengths = [40, 25]
        let batch = Batch(packing: ["a", "b"], inputs: lengths.enumerated().map { ChunkedForwardTests.features(frames: $1, seed: UInt64(40 + $0)).values }, dimension: 5)
        func fresh(_ network: BiLSTMNetwork, _ precision: Precision) -> [Float] {
            let workspace = NetworkWorkspace.forInference()
            workspace.precision = precision
            network.forward(batch, workspace: workspace)
            return workspace.logPosteriorValues(rows: batch.rows)
        }
        let kept = NetworkWorkspace.forInference()
        kept.precision = precision
        func run(_ network: BiLSTMNetwork) -> [Float] {
            network.forward(batch, workspace: kept)
            return kept.logPosteriorValues(rows: batch.rows)
        }
        let before = run(first)
        #expect(before == fresh(first, precision))
        #expect(run(first) == before)
        #expect(run(second) == fresh(second, precision))
        first.parameters.withUnsafeMutableBufferPointer { weights in
            for i in weights.indices { weights[i] *= 1.5 }
        }
        let changed = run(first)
        #expect(changed != before)
        #expect(changed == fresh(first, precision))
        if let other = Precision.allCases.first(where: { $0 != precision && $0.isAvailable }) {
            kept.precision = other
            #expect(run(first) == fresh(first, other))
        }
    }
}
