import Core
import Dispatch
import Foundation
import KaldiIO
import Synchronization

/// The bidirectional LSTM acoustic model: parameters, forward pass, and back-propagation through time.
///
/// Per layer and direction, with gates in the order i, f, g, o (lecture notation):
///
///     z_t = W_x·x_t + W_h·h_{t−1} + b          (4H)
///     i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_g)
///     c_t = m_t · (f ⊙ c_{t−1} + i ⊙ g);  h_t = o ⊙ tanh(c_t)
///     r_t = W_p·h_t with a projection (LSTMP), which then replaces h_t as the recurrent input and output
///
/// where `m_t` is 0 past the end of an utterance, so padding never leaks into real frames (the
/// backward direction starts each utterance from a zero state at its own last frame). The two
/// directions' outputs are concatenated (`2H`); after the last layer an affine map and
/// log-softmax give per-frame log-posteriors over the classes.
///
/// Matrix products: the input projection of every frame of the batch as one GEMM per layer and
/// direction, the recurrent product one `B × H · H × 4H` product per time step with weights
/// packed once (`PackedWeights`: for every batch in training, once per network's weights in an
/// inference workspace); in BF16 (`workspace.precision`) both go through Parrot's BF16 kernel.
/// Gate non-linearities are vectorised loops over contiguous buffers. The two directions of a
/// layer run concurrently, each with single-threaded BLAS.
public final class BiLSTMNetwork {
    public let configuration: AcousticModelConfiguration
    /// All weights, laid out by `ParameterLayout`.
    public var parameters: [Float] {
        // Not reading oldValue keeps every change in place (no copy of the weights).
        didSet { weightsStamp = Self.newStamp() }
    }
    let layout: ParameterLayout
    /// Names these weights among all networks' of the process: a new stamp for every network and
    /// after every change of `parameters`, so an inference workspace knows whether the weights it
    /// packed are still these (`NetworkWorkspace.keptPacks`).
    private(set) var weightsStamp = BiLSTMNetwork.newStamp()
    private static let stamps = Atomic<UInt64>(0)
    private static func newStamp() -> UInt64 { stamps.wrappingAdd(1, ordering: .relaxed).newValue }

    /// A randomly initialised network: weights uniform in ±1/√fan-in (PyTorch's LSTM default),
    /// forget-gate biases 1, other biases 0.
    public init(configuration: AcousticModelConfiguration, random: inout some RandomNumberGenerator) {
        self.configuration = configuration
        layout = ParameterLayout(configuration)
        var parameters = [Float](repeating: 0, count: layout.count)
        let h = configuration.hiddenUnits, o = configuration.outputUnits
        func fill(_ offset: Int, _ count: Int, _ scale: Float) {
            for i in offset..<(offset + count) { parameters[i] = Float.random(in: -scale...scale, using: &random) }
        }
        let lstmScale = 1 / Float(h).squareRoot()
        for (l, pair) in layout.directions.enumerated() {
            for d in pair {
                fill(d.inputWeights, 4 * h * configuration.layerInputDimension(l), lstmScale)
                fill(d.recurrentWeights, 4 * h * o, lstmScale)
                for j in 0..<h { parameters[d.bias + h + j] = 1 }   // forget gate
                if let projection = d.projection { fill(projection, configuration.projection * h, lstmScale) }
            }
        }
        let top = configuration.topDimension
        fill(layout.outputWeights, configuration.classes * top, 1 / Float(top).squareRoot())
        self.parameters = parameters
    }

    /// A network with given weights.
    /// - Precondition: `parameters.count` matches the configuration.
    public init(configuration: AcousticModelConfiguration, parameters: [Float]) {
        self.configuration = configuration
        layout = ParameterLayout(configuration)
        precondition(parameters.count == layout.count, "expected \(layout.count) parameters, got \(parameters.count)")
        self.parameters = parameters
    }

    /// Number of weights.
    public var parameterCount: Int { layout.count }

    /// Names, offsets and sizes of the weight tensors.
    public var tensors: [(name: String, offset: Int, count: Int)] { layout.tensors }

    // MARK: forward

    /// Runs the network on `batch`; the log-posteriors (`T·B × C`, time-major) are left in the
    /// workspace (`workspace.logPosteriors`).
    public func forward(_ batch: Batch, workspace: NetworkWorkspace) {
        var inference: SeededGenerator?
        forward(batch, workspace: workspace, dropout: &inference)
    }

    /// Runs the network on `batch` as in training: with a generator, dropout masks are drawn
    /// from it (when the configuration has dropout); nil runs it as for inference.
    public func forward(_ batch: Batch, workspace: NetworkWorkspace, dropout random: inout SeededGenerator?) {
        let c = configuration
        precondition(!batch.isPacked || random == nil, "a packed batch is for forward passes alone")
        let rows = batch.rows
        workspace.prepare(for: c, frames: batch.frames, utterances: batch.count)
        let h = c.hiddenUnits, o = c.outputUnits, g = 4 * h
        batch.inputs.withUnsafeBufferPointer { input in
        batch.mask.withUnsafeBufferPointer { mask in
        parameters.withUnsafeBufferPointer { weights in
            let w = weights.baseAddress!
            for l in 0..<c.layers {
                let x = l == 0 ? input.baseAddress! : UnsafePointer(workspace.layerInput(l).pointer)
                let y = workspace.outputs[l].pointer
                DispatchQueue.concurrentPerform(iterations: 2) { d in
                    let p = layout.directions[l][d]
                    let packs = workspace.packs(layer: l, direction: d)
                    if !packs.hold(weightsStamp, precision: workspace.precision) {
                        if workspace.precision == .bf16 {
                            packs.input.pack(w + p.inputWeights, outputs: g, depth: c.layerInputDimension(l), precision: .bf16)
                        }
                        if workspace.packsRecurrentWeights {
                            packs.recurrent.pack(w + p.recurrentWeights, outputs: g, depth: o, precision: workspace.precision)
                        }
                        packs.packed(weightsStamp, precision: workspace.precision)
                    }
                    recur(direction: d, batch: batch, input: x, mask: mask.baseAddress!, weights: w, parameters: p,
                          layer: l, packs: packs, workspace: workspace, output: y + d * o)
                }
                if l + 1 < c.layers, c.dropout > 0, random != nil {
                    workspace.applyDropout(layer: l, count: rows * 2 * o, probability: c.dropout, random: &random!)
                }
            }
            // Affine output layer and log-softmax.
            let top = c.layers == 0 ? input.baseAddress! : UnsafePointer(workspace.outputs[c.layers - 1].pointer)
            let width = c.topDimension
            let logits = workspace.logPosteriors.pointer
            for r in 0..<rows { (logits + r * c.classes).update(from: w + layout.outputBias, count: c.classes) }
            BLAS.gemm(false, true, rows, c.classes, width, 1, top, width, w + layout.outputWeights, width, 1, logits, c.classes)
            for r in 0..<rows { Self.logSoftmax(logits + r * c.classes, c.classes) }
        }
        }
        }
    }

    /// The recurrence of one direction over the whole batch; writes its output (`h_t`, or `r_t`
    /// with a projection) into `output` (row stride 2O).
    ///
    /// The input projections `W_x·x_t` are computed a block of time steps at a time, in the order
    /// the direction walks them, into the gate buffer. Training keeps every step's gates and cells
    /// for back-propagation, so its block is the whole batch. An inference workspace keeps one
    /// block of `NetworkWorkspace.inferenceBlockRows` rows of gates and two steps of cells, so its
    /// memory no longer grows with the batch's length; each value is computed as training would.
    private func recur(direction d: Int, batch: Batch, input x: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                       weights w: UnsafePointer<Float>, parameters p: ParameterLayout.Direction, layer l: Int,
                       packs: PackedLayer, workspace: NetworkWorkspace, output: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenUnits, o = configuration.outputUnits, g = 4 * h, b = batch.count, stride = 2 * o
        let gates = workspace.gates[l][d].pointer, cells = workspace.cells[l][d].pointer
        let tanhCells = workspace.tanhCells[l][d].pointer
        let cellOutputs = workspace.cellOutputs[l][d].pointer   // h_t, when projected
        let projected = p.projection != nil
        let rolling = workspace.inferenceOnly
        let blockSteps = rolling ? workspace.inferenceBlockSteps(utterances: b) : batch.frames
        var blockRow = 0   // the batch row of the gate buffer's first row
        for step in 0..<batch.frames {
            let t = d == 0 ? step : batch.frames - 1 - step
            let previous = d == 0 ? t - 1 : t + 1
            if step % blockSteps == 0 {
                let count = min(blockSteps, batch.frames - step)
                let blockStart = d == 0 ? step : batch.frames - step - count
                blockRow = batch.firstRow(blockStart)
                projectInputs(rows: batch.firstRow(blockStart + count) - blockRow,
                              input: x + blockRow * configuration.layerInputDimension(l),
                              weights: w, parameters: p, layer: l, packs: packs, workspace: workspace, gates: gates)
            }
            // Utterances at this step, and how many of them carry a state from the previous step:
            // all of them when padded (padding runs through the mask); when packed, the backward
            // direction starts the utterances that end at t afresh, and the forward one drops those that ended.
            let first = batch.firstRow(t), running = batch.stepRows(t)
            let carried = step > 0 ? min(running, batch.stepRows(previous)) : 0
            let z = gates + (first - blockRow) * g
            // Rows of this step's and the previous step's cells: every step's in training, two in turn in inference.
            let row = rolling ? (step & 1) * b : first
            let previousRow = rolling ? (1 - (step & 1)) * b : (step > 0 ? batch.firstRow(previous) : 0)
            if carried > 0 {
                let previousOutput = output + batch.firstRow(previous) * stride
                if workspace.packsRecurrentWeights {
                    packs.recurrent.product(rows: carried, x: previousOutput, ldx: stride, y: z, ldy: g, accumulate: true)
                } else {
                    BLAS.gemm(false, true, carried, g, o, 1, previousOutput, stride, w + p.recurrentWeights, o, 1, z, g)
                }
            }
            for u in 0..<running {
                let r = row + u
                ActivationKernels.lstmCell(z: z + u * g, bias: w + p.bias, previousCell: u < carried ? UnsafePointer(cells + (previousRow + u) * h) : nil,
                                           mask: mask[first + u], cell: cells + r * h, tanhCell: tanhCells + r * h,
                                           output: projected ? cellOutputs + r * h : output + (first + u) * stride, hidden: h)
            }
            if let projection = p.projection {
                BLAS.gemm(false, true, running, o, h, 1, cellOutputs + row * h, h, w + projection, h, 0, output + first * stride, stride)
            }
        }
    }

    /// `gates[rows × 4H] = x[rows × D] · W_xᵀ` for one direction of layer `l` (the bias is added
    /// in the cell kernel): Parrot's packed kernel in BF16, OpenBLAS in FP32.
    private func projectInputs(rows: Int, input x: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                               parameters p: ParameterLayout.Direction, layer l: Int, packs: PackedLayer,
                               workspace: NetworkWorkspace, gates: UnsafeMutablePointer<Float>) {
        let inputDimension = configuration.layerInputDimension(l), g = 4 * configuration.hiddenUnits
        if workspace.precision == .bf16 {
            packs.input.product(rows: rows, x: x, ldx: inputDimension, y: gates, ldy: g, accumulate: false)
        } else {
            BLAS.gemm(false, true, rows, g, inputDimension, 1, x, inputDimension, w + p.inputWeights, inputDimension, 0, gates, g)
        }
    }

    /// In-place log-softmax of `n` values.
    static func logSoftmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var maximum = -Float.infinity
        for i in 0..<n { maximum = max(maximum, x[i]) }
        var sum: Float = 0
        for i in 0..<n { sum += Foundation.exp(x[i] - maximum) }
        let shift = maximum + Foundation.log(sum)
        for i in 0..<n { x[i] -= shift }
    }

    /// Frame cross-entropy and accuracy of the last `forward` against `batch.targets` (with
    /// `batch.labels`: the CTC loss, as `backward` counts it), without gradients.
    public func evaluate(_ batch: Batch, workspace: NetworkWorkspace) -> (loss: Double, frames: Int, correct: Int) {
        precondition(!batch.isPacked, "evaluation runs on padded batches")
        let classes = configuration.classes
        let logp = workspace.logPosteriors.pointer
        var loss = 0.0, frames = 0, correct = 0
        if let labels = batch.labels {
            for u in 0..<batch.count {
                let result = CTC.lossAndGradient(logp + u * classes, frames: batch.lengths[u], rowStride: batch.count * classes, classes: classes,
                                                 labels: labels[u], blank: classes - 1, gradient: nil, scale: 1)
                guard let value = result.loss else { continue }
                (loss, frames, correct) = (loss + value, frames + batch.lengths[u], correct + result.agreeing)
            }
            return (loss, frames, correct)
        }
        for r in 0..<(batch.frames * batch.count) where batch.targets[r] >= 0 {
            let row = logp + r * classes
            loss -= Double(row[Int(batch.targets[r])])
            frames += 1
            var best = 0
            for k in 1..<classes where row[k] > row[best] { best = k }
            if best == Int(batch.targets[r]) { correct += 1 }
        }
        return (loss, frames, correct)
    }
}
