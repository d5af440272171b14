@testable import Acoustic
import Core
import CRecurrentKernel
import KaldiIO
import Testing

/// The network in BF16 (`Precision.bf16`) against the same network in FP32, on CPUs with AVX512_BF16.
@Suite(.enabled(if: Precision.bf16.isAvailable, "needs AVX512_BF16"))
struct BF16NetworkTests {
    /// 2 × 64 BiLSTM, 40 → 42, four utterances of 60, 37, 60 and 12 frames.
    static func setting(seed: UInt64) -> (BiLSTMNetwork, Batch) {
        var random = SeededGenerator(seed: seed)
        let configuration = AcousticModelConfiguration(featureDimension: 40, classes: 42, layers: 2, hiddenUnits: 64, splice: 0)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        let lengths = [60, 37, 60, 12]
        let inputs = lengths.map { n in (0..<(n * 40)).map { _ in Float.random(in: -2...2, using: &random) } }
        let targets = lengths.map { n in (0..<n).map { _ in Int32(random.integer(in: 0...41)) } }
        return (network, Batch(keys: ["a", "b", "c", "d"], inputs: inputs, targets: targets, dimension: 40))
    }

    static func workspace(_ precision: Precision) -> NetworkWorkspace {
        let workspace = NetworkWorkspace()
        workspace.precision = precision
        return workspace
    }

    /// Log-posteriors agree within 0.01 (in nats; measured 5 × 10⁻⁴) on every frame and class, and the most probable
    /// class agrees on at least 98% of the frames; they are not bit-identical (BF16 did run).
    @Test func logPosteriorsAgreeWithFP32() {
        let (network, batch) = Self.setting(seed: 5)
        let rows = batch.frames * batch.count
        let results = [Precision.fp32, .bf16].map { precision in
            let workspace = Self.workspace(precision)
            network.forward(batch, workspace: workspace)
            return workspace.logPosteriorValues(rows: rows)
        }
        var worst: Float = 0, sameBest = 0, frames = 0
        let classes = network.configuration.classes
        for r in 0..<rows where batch.mask[r] > 0 {
            let a = results[0][(r * classes)..<((r + 1) * classes)], b = results[1][(r * classes)..<((r + 1) * classes)]
            worst = max(worst, zip(a, b).map { abs($0 - $1) }.max()!)
            if a.firstIndex(of: a.max()!)! - r * classes == b.firstIndex(of: b.max()!)! - r * classes { sameBest += 1 }
            frames += 1
        }
        print("BF16 forward: largest log-posterior difference \(worst), same best class on \(sameBest) of \(frames) frames")
        #expect(worst > 0)
        #expect(worst < 0.01)
        #expect(Double(sameBest) >= 0.98 * Double(frames))
    }

    /// The BF16 gradient of every weight tensor points the same way as the FP32 gradient (cosine
    /// ≥ 0.9999) and differs from it by at most 1% of its norm (measured: at most 0.35%); the
    /// losses agree within 10⁻³ relative.
    @Test func gradientsAgreeWithFP32() {
        let (network, batch) = Self.setting(seed: 6)
        var gradients: [[Float]] = []
        var losses: [Double] = []
        for precision in [Precision.fp32, .bf16] {
            let workspace = Self.workspace(precision)
            network.forward(batch, workspace: workspace)
            var gradient = [Float](repeating: 0, count: network.parameterCount)
            losses.append(network.backward(batch, workspace: workspace, gradient: &gradient).loss)
            gradients.append(gradient)
        }
        #expect(abs(losses[0] - losses[1]) <= 1e-3 * losses[0], "losses \(losses)")
        for tensor in network.tensors {
            let range = tensor.offset..<(tensor.offset + tensor.count)
            var dot = 0.0, normA = 0.0, normB = 0.0, difference = 0.0
            for i in range {
                let a = Double(gradients[0][i]), b = Double(gradients[1][i])
                dot += a * b; normA += a * a; normB += b * b; difference += (a - b) * (a - b)
            }
            let cosine = dot / (normA * normB).squareRoot(), relative = (difference / normA).squareRoot()
            print("BF16 gradient \(tensor.name): cosine \(cosine), relative difference \(relative)")
            #expect(cosine >= 0.9999, "\(tensor.name): cosine \(cosine)")
            #expect(relative <= 0.01, "\(tensor.name): relative difference \(relative)")
        }
    }
}
