@testable import Acoustic
import Acoustic
import Core
import KaldiIO
import Testing

@Suite struct LearningTests {
    /// Sequences of segments (3–6 frames), each of one of 4 classes. The class is shown only on
    /// the segment's last frame and a boundary flag only on its first, so labelling a frame needs
    /// the past (where the segment began) and the future (what it turns out to be): the task
    /// needs both directions.
    static func example(_ random: inout SeededGenerator, length: Int) -> (input: [Float], target: [Int32]) {
        var input = [Float](), target = [Int32]()
        while target.count < length {
            let n = random.integer(in: 3...6), k = random.integer(in: 0...3)
            for j in 0..<n {
                var x = [Float](repeating: 0, count: 6)
                x[0] = Float.random(in: -0.3...0.3, using: &random)
                x[1] = j == 0 ? 1 : 0
                if j == n - 1 { x[2 + k] = 1 }
                input += x
                target.append(Int32(k))
            }
        }
        return (input, target)   // whole segments only: a cut segment would lose its class marker
    }

    static func batch(_ random: inout SeededGenerator, size: Int) -> Batch {
        let examples = (0..<size).map { _ in example(&random, length: random.integer(in: 24...40)) }
        return Batch(keys: (0..<size).map { "u\($0)" }, inputs: examples.map(\.input), targets: examples.map(\.target), dimension: 6)
    }

    @Test func learnsASequenceTaskToNinetyNinePercentFrameAccuracy() {
        var random = SeededGenerator(seed: 21)
        let configuration = AcousticModelConfiguration(featureDimension: 6, classes: 4, layers: 1, hiddenUnits: 16)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        var optimizer = AdamOptimizer(parameterCount: network.parameterCount, learningRate: 0.02)
        let workspace = NetworkWorkspace()
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        for step in 0..<400 {
            if step == 300 { optimizer.learningRate = 0.005 }
            let batch = Self.batch(&random, size: 16)
            network.forward(batch, workspace: workspace)
            for i in gradient.indices { gradient[i] = 0 }
            network.backward(batch, workspace: workspace, gradient: &gradient)
            optimizer.update(parameters: &network.parameters, gradient: gradient)
        }
        var test = SeededGenerator(seed: 999)
        let held = Self.batch(&test, size: 64)
        network.forward(held, workspace: workspace)
        let result = network.evaluate(held, workspace: workspace)
        let accuracy = Double(result.correct) / Double(result.frames)
        print("synthetic bidirectional task: held-out frame accuracy \(accuracy) after 400 steps")
        #expect(accuracy >= 0.99)
    }
}
