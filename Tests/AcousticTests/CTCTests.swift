@testable import Acoustic
import Core
import Foundation
import ParrotTestSupport
import Testing

/// Claims about the CTC loss, its gradient, forced alignment and greedy decoding, checked
/// against enumeration of every frame path on tiny inputs and against finite differences.
@Suite struct CTCTests {
    /// `frames × classes` log-softmax of random logits.
    static func logPosteriors(frames: Int, classes: Int, seed: UInt64) -> (logits: Matrix, logPosteriors: Matrix) {
        var random = SeededGenerator(seed: seed)
        let logits = Matrix(rows: frames, columns: classes, values: (0..<(frames * classes)).map { _ in Float.random(in: -2...2, using: &random) })
        return (logits, logSoftmax(logits))
    }

    static func logSoftmax(_ logits: Matrix) -> Matrix {
        var out = logits
        for t in 0..<logits.rows {
            let row = (0..<logits.columns).map { Double(logits[t, $0]) }
            let top = row.max()!
            let total = top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) })
            for k in 0..<logits.columns { out[t, k] = Float(row[k] - total) }
        }
        return out
    }

    /// Every path of `frames` classes, with what it reads as (repeats merged, blanks dropped).
    static func everyPath(frames: Int, classes: Int, blank: Int) -> [(path: [Int], reading: [Int32])] {
        var paths = [[Int]()]
        for _ in 0..<frames { paths = paths.flatMap { p in (0..<classes).map { p + [$0] } } }
        return paths.map { path in
            var reading = [Int32](), previous = -1
            for k in path {
                if k != blank && k != previous { reading.append(Int32(k)) }
                previous = k
            }
            return (path, reading)
        }
    }

    static let labelSequences: [[Int32]] = [[0, 1], [1, 1], [0], [], [0, 1, 0], [1, 0, 0]]

    @Test(arguments: labelSequences)
    func lossIsMinusTheLogOfTheSumOverEveryPathThatReadsAsTheLabels(labels: [Int32]) throws {
        let frames = 5, classes = 3, blank = 2
        let (_, y) = Self.logPosteriors(frames: frames, classes: classes, seed: 7)
        var probability = 0.0
        for (path, reading) in Self.everyPath(frames: frames, classes: classes, blank: blank) where reading == labels {
            probability += Foundation.exp(path.enumerated().reduce(0.0) { $0 + Double(y[$1.offset, $1.element]) })
        }
        let loss = try #require(CTC.loss(y, labels: labels, blank: blank))
        #expect(abs(loss - (-Foundation.log(probability))) < 1e-4)
    }

    /// Peaky outputs put the states that matter hundreds of nats below a frame's best: the
    /// loss is still the best path's (a, blank: 120), not the only path left after underflow
    /// (blank, a: 200), and two equal labels still find their one path (a, blank, a).
    @Test func peakyOutputsKeepThePathsThatMatter() throws {
        let two = Matrix(rows: 2, columns: 2, values: [-120, 0, -200, 0])
        let loss = try #require(CTC.loss(two, labels: [0], blank: 1))
        #expect(abs(loss - 120) < 1e-3)
        let (_, gradient) = CTC.lossAndGradient(two, labels: [0], blank: 1)
        // Occupancies are probabilities: the gradient is softmax − occupancy, within ±1.
        #expect(gradient.values.allSatisfy { abs($0) <= 1 + 1e-5 })
        #expect(abs(gradient[0, 0] - (-1)) < 1e-4)
        let three = Matrix(rows: 3, columns: 2, values: [-150, 0, -150, 0, -150, 0])
        let repeated = try #require(CTC.loss(three, labels: [0, 0], blank: 1))
        #expect(abs(repeated - 300) < 1e-3)
        #expect(CTC.forcedAlignment(three, labels: [0, 0], blank: 1) == [0, -1, 1])
    }

    @Test func labelsThatCannotFitHaveNoLossAndNoGradient() {
        let (_, y) = Self.logPosteriors(frames: 2, classes: 3, seed: 1)
        // Two equal labels need a blank between them: three frames.
        #expect(CTC.minimumFrames([1, 1]) == 3)
        let (loss, gradient) = CTC.lossAndGradient(y, labels: [1, 1], blank: 2)
        #expect(loss == nil)
        #expect(gradient.values.allSatisfy { $0 == 0 })
        #expect(CTC.forcedAlignment(y, labels: [1, 1], blank: 2) == nil)
        #expect(CTC.loss(y, labels: [1, 0], blank: 2) != nil)
    }

    @Test(arguments: labelSequences)
    func gradientMatchesFiniteDifferencesOfTheLogits(labels: [Int32]) throws {
        let (logits, y) = Self.logPosteriors(frames: 6, classes: 3, seed: 5)
        let (_, gradient) = CTC.lossAndGradient(y, labels: labels, blank: 2)
        func loss(_ changed: Matrix) -> Double { CTC.loss(Self.logSoftmax(changed), labels: labels, blank: 2) ?? .nan }
        let epsilon: Float = 1e-2
        for t in 0..<logits.rows {
            for k in 0..<logits.columns {
                var plus = logits, minus = logits
                plus[t, k] += epsilon
                minus[t, k] -= epsilon
                let numeric = (loss(plus) - loss(minus)) / (2 * Double(epsilon))
                #expect(abs(numeric - Double(gradient[t, k])) < 2e-3, "frame \(t) class \(k): \(numeric) against \(gradient[t, k])")
            }
        }
    }

    @Test(arguments: labelSequences)
    func forcedAlignmentIsTheMostProbablePathThatReadsAsTheLabels(labels: [Int32]) throws {
        let frames = 6, classes = 3, blank = 2
        let (_, y) = Self.logPosteriors(frames: frames, classes: classes, seed: 9)
        var best: (score: Double, path: [Int])?
        for (path, reading) in Self.everyPath(frames: frames, classes: classes, blank: blank) where reading == labels {
            let score = path.enumerated().reduce(0.0) { $0 + Double(y[$1.offset, $1.element]) }
            if best == nil || score > best!.score { best = (score, path) }
        }
        let alignment = try #require(CTC.forcedAlignment(y, labels: labels, blank: blank))
        // The alignment names which label each frame emits; its classes are the best path.
        #expect(alignment.map { $0 < 0 ? blank : Int(labels[$0]) } == best?.path)
        // Label indices never go back, and every label is emitted.
        let emitted = alignment.filter { $0 >= 0 }
        #expect(emitted == emitted.sorted())
        #expect(Set(emitted) == Set(labels.indices))
    }

    @Test func greedyDecodingMergesRepeatsAndDropsBlanks() {
        // Best classes per frame: 0 0 blank 0 1 1 blank blank 1 → reads 0 0 1 1.
        let best = [0, 0, 2, 0, 1, 1, 2, 2, 1]
        var y = Matrix(rows: best.count, columns: 3, values: [Float](repeating: -3, count: best.count * 3))
        for (t, k) in best.enumerated() { y[t, k] = -0.1 }
        let read = CTC.greedy(y, blank: 2)
        #expect(read.map(\.label) == [0, 0, 1, 1])
        #expect(read.map(\.start) == [0, 3, 4, 8])
        #expect(read.map(\.end) == [2, 4, 6, 9])
    }

    /// The network's batched CTC gradient (utterances read in place from the time-major batch,
    /// padding and all) against finite differences of the mean loss over the whole network.
    @Test func networkGradientUnderCTCMatchesFiniteDifferences() {
        let configuration = AcousticModelConfiguration(featureDimension: 3, classes: 4, layers: 1, hiddenUnits: 3)
        var random = SeededGenerator(seed: 4)
        let network = BiLSTMNetwork(configuration: configuration, random: &random)
        let lengths = [6, 3, 5]
        let inputs = lengths.map { n in (0..<(n * 3)).map { _ in Float.random(in: -1...1, using: &random) } }
        var batch = Batch(keys: ["a", "b", "c"], inputs: inputs, targets: nil, dimension: 3)
        batch.labels = [[0, 1, 1], [2], [1, 0]]
        let workspace = NetworkWorkspace()
        func meanLoss() -> Double {
            network.forward(batch, workspace: workspace)
            let total = network.evaluate(batch, workspace: workspace)
            return total.loss / Double(total.frames)
        }
        network.forward(batch, workspace: workspace)
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        let result = network.backward(batch, workspace: workspace, gradient: &gradient)
        #expect(result.frames == 14)
        #expect(abs(result.loss / 14 - meanLoss()) < 1e-9)
        var worst = 0.0
        for i in stride(from: 0, to: network.parameterCount, by: 3) {
            let value = network.parameters[i], epsilon: Float = 5e-3
            network.parameters[i] = value + epsilon
            let plus = meanLoss()
            network.parameters[i] = value - epsilon
            let minus = meanLoss()
            network.parameters[i] = value
            let numeric = (plus - minus) / (2 * Double(epsilon))
            worst = max(worst, abs(numeric - Double(gradient[i])) / max(1e-2, abs(numeric) + abs(Double(gradient[i]))))
        }
        #expect(worst < 1e-2)
    }

    static let torchInstalled = (try? TestSupport.python("import torch")) != nil

    /// The same losses as `torch.nn.functional.ctc_loss` (reduction "none") on random inputs
    /// (an interop test: skipped where torch is not installed).
    @Test(.enabled(if: torchInstalled, "torch is not installed"))
    func lossesAreTorchsOnRandomInputs() throws {
        let cases: [(frames: Int, labels: [Int32])] = [(50, [3, 1, 1, 4, 2, 9, 9, 9]), (20, []), (120, (0..<40).map { Int32($0 % 7) }), (8, [5, 5, 5, 5])]
        let classes = 11, blank = 10
        var expected = [Double]()
        var script = "import torch\nimport torch.nn.functional as F\nout = []\n"
        for (n, c) in cases.enumerated() {
            let (_, y) = Self.logPosteriors(frames: c.frames, classes: classes, seed: UInt64(20 + n))
            expected.append(CTC.loss(y, labels: c.labels, blank: blank) ?? .infinity)
            let values = y.values.map { String(describing: $0) }.joined(separator: ",")
            script += """
            y = torch.tensor([\(values)], dtype=torch.float64).reshape(\(c.frames), 1, \(classes))
            out.append(F.ctc_loss(y, torch.tensor([[\(c.labels.map(String.init).joined(separator: ","))]], dtype=torch.long).reshape(1, -1), \
            [\(c.frames)], [\(c.labels.count)], blank=\(blank), reduction='none').item())

            """
        }
        script += "print(' '.join(repr(v) for v in out))\n"
        let torchLosses = try TestSupport.python(script).split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan }
        #expect(torchLosses.count == expected.count)
        for (ours, theirs) in zip(expected, torchLosses) {
            if theirs.isInfinite { #expect(ours.isInfinite) } else { #expect(abs(ours - theirs) < 1e-3 * max(1, abs(theirs)), "\(ours) against torch \(theirs)") }
        }
    }
}
