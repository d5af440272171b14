@testable import Acoustic
import Acoustic
import Core
import KaldiIO
import Testing

/// Claims about the network's mathematics, checked against independent computations.
@Suite struct BiLSTMGradientTests {
    static let configuration = AcousticModelConfiguration(featureDimension: 3, classes: 4, layers: 2, hiddenUnits: 3, splice: 0)

    /// Three utterances of 5, 2 and 4 frames (so masks matter), random inputs and targets.
    static func batch(dimension: Int, seed: UInt64 = 3) -> Batch {
        var random = SeededGenerator(seed: seed)
        let lengths = [5, 2, 4]
        let inputs = lengths.map { n in (0..<(n * dimension)).map { _ in Float.random(in: -1...1, using: &random) } }
        let targets = lengths.map { n in (0..<n).map { _ in Int32(random.integer(in: 0...3)) } }
        return Batch(keys: ["a", "b", "c"], inputs: inputs, targets: targets, dimension: dimension)
    }

    /// Mean frame cross-entropy, in double precision, from the workspace after a forward pass.
    static func meanLoss(_ network: BiLSTMNetwork, _ batch: Batch, _ workspace: NetworkWorkspace) -> Double {
        network.forward(batch, workspace: workspace)
        let rows = batch.frames * batch.count
        let logp = workspace.logPosteriorValues(rows: rows)
        var loss = 0.0, n = 0
        for r in 0..<rows where batch.targets[r] >= 0 {
            loss -= Double(logp[r * network.configuration.classes + Int(batch.targets[r])])
            n += 1
        }
        return loss / Double(n)
    }

    /// Central difference `(L(v+ε) − L(v−ε)) / 2ε` of the mean loss for one value, set through `set`,
    /// compared with `analytic`: the relative error.
    static func relativeError(analytic: Float, value: Float, epsilon: Float = 5e-3, set: (Float) -> Void, loss: () -> Double) -> (error: Double, numeric: Double) {
        set(value + epsilon)
        let plus = loss()
        set(value - epsilon)
        let minus = loss()
        set(value)
        let numeric = (plus - minus) / (2 * Double(epsilon))
        return (abs(numeric - Double(analytic)) / max(1e-2, abs(numeric) + abs(Double(analytic))), numeric)
    }

    /// Plain BiLSTM, and LSTMP (projection 2 < 3 hidden units) with splicing.
    static let topologies = [
        configuration,
        AcousticModelConfiguration(featureDimension: 3, classes: 4, layers: 2, hiddenUnits: 3, splice: 1, projection: 2),
        AcousticModelConfiguration(featureDimension: 3, classes: 4, layers: 0, hiddenUnits: 3, splice: 2),
    ]

    @Test(arguments: topologies)
    func everyParameterGradientMatchesFiniteDifferences(configuration: AcousticModelConfiguration) {
        var random = SeededGenerator(seed: 11)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        let batch = Self.batch(dimension: configuration.inputDimension)
        let workspace = NetworkWorkspace()
        network.forward(batch, workspace: workspace)
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        network.backward(batch, workspace: workspace, gradient: &gradient)
        var worst = (error: 0.0, name: "")
        for tensor in network.tensors {
            for i in tensor.offset..<(tensor.offset + tensor.count) {
                let (error, numeric) = Self.relativeError(analytic: gradient[i], value: network.parameters[i],
                                                          set: { network.parameters[i] = $0 }, loss: { Self.meanLoss(network, batch, workspace) })
                if error > worst.error { worst = (error, "\(tensor.name)[\(i - tensor.offset)]: analytic \(gradient[i]), numeric \(numeric)") }
            }
        }
        print("gradient check (projection \(configuration.projection)): \(network.parameterCount) parameters, worst relative error \(worst.error) at \(worst.name)")
        #expect(worst.error < 2e-2, "\(worst.name)")
    }

    @Test(arguments: topologies)
    func inputGradientMatchesFiniteDifferencesAndIsZeroOnPadding(configuration: AcousticModelConfiguration) {
        var random = SeededGenerator(seed: 12)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        var batch = Self.batch(dimension: configuration.inputDimension)
        let workspace = NetworkWorkspace()
        network.forward(batch, workspace: workspace)
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        var inputGradient = [Float](repeating: 0, count: batch.inputs.count)
        inputGradient.withUnsafeMutableBufferPointer { network.backward(batch, workspace: workspace, gradient: &gradient, inputGradient: $0.baseAddress!) }
        for i in 0..<batch.inputs.count {
            let row = i / batch.dimension
            if batch.mask[row] == 0 { #expect(inputGradient[i] == 0); continue }
            let (error, numeric) = Self.relativeError(analytic: inputGradient[i], value: batch.inputs[i],
                                                      set: { batch.inputs[i] = $0 }, loss: { Self.meanLoss(network, batch, workspace) })
            #expect(error < 2e-2, "input \(i): analytic \(inputGradient[i]), numeric \(numeric)")
        }
    }

    @Test func backwardDirectionSeesTheFuture() {
        var random = SeededGenerator(seed: 5)
        let configuration = AcousticModelConfiguration(featureDimension: 4, classes: 5, layers: 1, hiddenUnits: 6)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        var batch = Batch(keys: ["u"], inputs: [(0..<(12 * 4)).map { Float($0 % 7) / 7 - 0.5 }], targets: nil, dimension: 4)
        let workspace = NetworkWorkspace()
        network.forward(batch, workspace: workspace)
        let before = workspace.logPosteriorValues(rows: 12)
        for i in 0..<4 { batch.inputs[(3 + 5) * 4 + i] += 1 }   // perturb frame 8
        network.forward(batch, workspace: workspace)
        let after = workspace.logPosteriorValues(rows: 12)
        var change: Float = 0
        for k in 0..<5 { change = max(change, abs(before[15 + k] - after[15 + k])) }
        #expect(change > 1e-4, "output at frame 3 did not react to frame 8")
        // The network as a whole is not causal, but each direction is: zero the backward
        // direction's weights and frame 3 must no longer see frame 8.
        let backward = network.layout.directions[0][1]
        for i in backward.inputWeights..<(backward.bias + 4 * configuration.hiddenUnits) { network.parameters[i] = 0 }
        network.forward(batch, workspace: workspace)
        let causalAfter = workspace.logPosteriorValues(rows: 12)
        for i in 0..<4 { batch.inputs[(3 + 5) * 4 + i] -= 1 }
        network.forward(batch, workspace: workspace)
        let causalBefore = workspace.logPosteriorValues(rows: 12)
        let frame3Before = Array(causalBefore[15..<20]), frame3After = Array(causalAfter[15..<20])
        #expect(frame3Before == frame3After)
    }

    @Test func batchingAndPaddingDoNotChangeAnyUtterancesOutput() {
        var random = SeededGenerator(seed: 8)
        let network = BiLSTMNetwork(configuration: Self.configuration, random: &random)
        let batch = Self.batch(dimension: 3)
        let workspace = NetworkWorkspace()
        network.forward(batch, workspace: workspace)
        let together = workspace.logPosteriorValues(rows: batch.frames * batch.count)
        for b in 0..<3 {
            let n = batch.lengths[b]
            let alone = Batch(keys: ["x"], inputs: [(0..<n).flatMap { t in batch.inputs[((t * 3 + b) * 3)..<((t * 3 + b) * 3 + 3)] }], targets: nil, dimension: 3)
            network.forward(alone, workspace: workspace)
            let single = workspace.logPosteriorValues(rows: n)
            for t in 0..<n {
                for k in 0..<4 { #expect(abs(single[t * 4 + k] - together[(t * 3 + b) * 4 + k]) < 1e-5) }
            }
        }
    }
}
