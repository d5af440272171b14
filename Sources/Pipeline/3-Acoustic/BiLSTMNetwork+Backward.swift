import Core
import Dispatch
import Foundation
import KaldiIO

/// Back-propagation through time: the gradient of the loss (frame cross-entropy or CTC) of the last `forward`.
extension BiLSTMNetwork {
    /// The loss of the last `forward` and its gradient: frame cross-entropy against
    /// `batch.targets`, or with `batch.labels` the CTC loss of each utterance's label sequence
    /// (blank = the last class).
    ///
    /// The loss is averaged over frames with a target (with CTC: over the frames of utterances whose
    /// labels fit); `gradient` (same layout as `parameters`) receives the gradient of that mean,
    /// added to what it holds.
    /// - Parameter inputGradient: if given, receives `∂loss/∂inputs` (`T·B × I`).
    /// - Returns: summed loss, frames counted, frames whose most probable class is the target
    ///   (with CTC: the class most occupied at that frame).
    @discardableResult
    public func backward(_ batch: Batch, workspace: NetworkWorkspace, gradient: inout [Float],
                         inputGradient: UnsafeMutablePointer<Float>? = nil) -> (loss: Double, frames: Int, correct: Int) {
        let c = configuration
        let rows = batch.frames * batch.count
        let h = c.hiddenUnits, o = c.outputUnits, g = 4 * h
        precondition(gradient.count == layout.count)
        precondition(!batch.isPacked, "training runs on padded batches")
        workspace.prepareBackward(for: c, rows: rows)
        let dLogits = workspace.logitGradients.pointer
        let (loss, frames, correct) = batch.labels == nil ? crossEntropyGradient(batch, workspace: workspace)
            : ctcGradient(batch, workspace: workspace)
        parameters.withUnsafeBufferPointer { weights in
        gradient.withUnsafeMutableBufferPointer { grads in
        batch.inputs.withUnsafeBufferPointer { input in
        batch.mask.withUnsafeBufferPointer { mask in
            let w = weights.baseAddress!, dw = grads.baseAddress!
            let width = c.topDimension
            let top = c.layers == 0 ? input.baseAddress! : UnsafePointer(workspace.outputs[c.layers - 1].pointer)
            BLAS.gemm(true, false, c.classes, width, rows, 1, dLogits, c.classes, top, width, 1, dw + layout.outputWeights, width)
            for r in 0..<rows { for k in 0..<c.classes { dw[layout.outputBias + k] += dLogits[r * c.classes + k] } }
            // Gradient with respect to the top layer's output (the input itself without LSTM layers).
            let dOutput = workspace.outputGradient.pointer
            if c.layers == 0, let inputGradient {
                BLAS.gemm(false, false, rows, width, c.classes, 1, dLogits, c.classes, w + layout.outputWeights, width, 0, inputGradient, width)
            } else if c.layers > 0 {
                BLAS.gemm(false, false, rows, width, c.classes, 1, dLogits, c.classes, w + layout.outputWeights, width, 0, dOutput, width)
            }
            for l in stride(from: c.layers - 1, through: 0, by: -1) {
                let inputDimension = c.layerInputDimension(l)
                let x = l == 0 ? input.baseAddress! : UnsafePointer(workspace.layerInput(l).pointer)
                let y = UnsafePointer(workspace.outputs[l].pointer)
                DispatchQueue.concurrentPerform(iterations: 2) { d in
                    let p = layout.directions[l][d]
                    let dz = workspace.gateGradients[d].pointer
                    if workspace.packsRecurrentWeights {
                        workspace.trainingPacks[d].recurrent.pack(w + p.recurrentWeights, outputs: o, depth: g, transposed: true, precision: workspace.precision)
                    }
                    backRecur(direction: d, batch: batch, mask: mask.baseAddress!, weights: w, parameters: p, layer: l,
                              workspace: workspace, outputGradient: dOutput + d * o, gateGradients: dz)
                    // Weight gradients as whole-batch products: ∂W_x += ∂zᵀ·x, ∂W_h += Σ_t ∂z_tᵀ·r_{t∓1}.
                    let shifted = (batch.frames - 1) * batch.count
                    let dzRows = d == 0 ? dz + batch.count * g : dz
                    let previousOutputs = d == 0 ? y + d * o : y + batch.count * 2 * o + d * o
                    if workspace.precision == .bf16 {
                        // In BF16 the frames are the packed operand and ∂z is read transposed.
                        let frames = workspace.packedFrames[d]
                        frames.pack(x, outputs: inputDimension, depth: rows, transposed: true, ldw: inputDimension, precision: .bf16)
                        frames.product(rows: g, x: dz, ldx: g, xTransposed: true, y: dw + p.inputWeights, ldy: inputDimension, accumulate: true)
                        if shifted > 0 {
                            frames.pack(previousOutputs, outputs: o, depth: shifted, transposed: true, ldw: 2 * o, precision: .bf16)
                            frames.product(rows: g, x: dzRows, ldx: g, xTransposed: true, y: dw + p.recurrentWeights, ldy: o, accumulate: true)
                        }
                    } else {
                        BLAS.gemm(true, false, g, inputDimension, rows, 1, dz, g, x, inputDimension, 1, dw + p.inputWeights, inputDimension)
                        if shifted > 0 {
                            BLAS.gemm(true, false, g, o, shifted, 1, dzRows, g, previousOutputs, 2 * o, 1, dw + p.recurrentWeights, o)
                        }
                    }
                    if let projection = p.projection {
                        // ∂W_p = Σ_t ∂r_tᵀ · h_t
                        BLAS.gemm(true, false, o, h, rows, 1, workspace.projectionGradients[d].pointer, o,
                                  workspace.cellOutputs[l][d].pointer, h, 1, dw + projection, h)
                    }
                    let bias = dw + p.bias
                    for r in 0..<rows { let z = dz + r * g; for k in 0..<g { bias[k] += z[k] } }
                    // This direction's share of the input gradient.
                    if l > 0 || inputGradient != nil {
                        let target = workspace.inputGradients[d].pointer
                        if workspace.precision == .bf16 {
                            let packed = workspace.trainingPacks[d].input
                            packed.pack(w + p.inputWeights, outputs: inputDimension, depth: g, transposed: true, precision: .bf16)
                            packed.product(rows: rows, x: dz, ldx: g, y: target, ldy: inputDimension, accumulate: false)
                        } else {
                            BLAS.gemm(false, false, rows, inputDimension, g, 1, dz, g, w + p.inputWeights, inputDimension, 0, target, inputDimension)
                        }
                    }
                }
                if l > 0 || inputGradient != nil {
                    let a = workspace.inputGradients[0].pointer, b = workspace.inputGradients[1].pointer
                    let target = l > 0 ? dOutput : inputGradient!
                    for i in 0..<(rows * inputDimension) { target[i] = a[i] + b[i] }
                    if l > 0 && c.dropout > 0 { workspace.backpropagateDropout(layer: l - 1, gradient: target, count: rows * inputDimension) }
                }
            }
        }
        }
        }
        }
        return (loss, frames, correct)
    }

    /// Frame cross-entropy: `∂loss/∂logits = (softmax − one-hot) / frames` over frames with
    /// targets, left in `workspace.logitGradients`.
    private func crossEntropyGradient(_ batch: Batch, workspace: NetworkWorkspace) -> (loss: Double, frames: Int, correct: Int) {
        let classes = configuration.classes, rows = batch.frames * batch.count
        var loss = 0.0, frames = 0, correct = 0
        let logp = workspace.logPosteriors.pointer
        let dLogits = workspace.logitGradients.pointer
        for r in 0..<rows where batch.targets[r] >= 0 { frames += 1 }
        let scale = frames > 0 ? 1 / Float(frames) : 0
        for r in 0..<rows {
            let row = logp + r * classes, out = dLogits + r * classes
            let target = Int(batch.targets[r])
            guard target >= 0 else { out.update(repeating: 0, count: classes); continue }
            loss -= Double(row[target])
            var best = 0
            for k in 0..<classes {
                out[k] = Foundation.exp(row[k]) * scale
                if row[k] > row[best] { best = k }
            }
            out[target] -= scale
            if best == target { correct += 1 }
        }
        return (loss, frames, correct)
    }

    /// CTC: each utterance's forward–backward pass (utterances in parallel) reads its rows of the
    /// time-major log-posteriors in place; `∂loss/∂logits`, divided by the frames of the
    /// utterances whose labels fit, is left in `workspace.logitGradients`.
    private func ctcGradient(_ batch: Batch, workspace: NetworkWorkspace) -> (loss: Double, frames: Int, correct: Int) {
        let classes = configuration.classes, b = batch.count
        let labels = batch.labels ?? []
        let fits = (0..<b).map { CTC.minimumFrames(labels[$0]) <= batch.lengths[$0] && batch.lengths[$0] > 0 }
        let frames = (0..<b).reduce(0) { $0 + (fits[$1] ? batch.lengths[$1] : 0) }
        let scale = frames > 0 ? 1 / Float(frames) : 0
        let dLogits = workspace.logitGradients.pointer
        let results = CTC.batchLossAndGradient(workspace.logPosteriors.pointer, lengths: batch.lengths, labels: labels, classes: classes, blank: classes - 1,
                                               gradient: dLogits, scale: scale)
        var loss = 0.0, counted = 0, correct = 0
        for (u, result) in results.enumerated() {
            guard let value = result.loss else { continue }
            loss += value
            counted += batch.lengths[u]
            correct += result.agreeing
        }
        // An utterance can fit by length yet have no path (not in practice: every frame has some probability).
        if counted != frames, counted > 0 {
            let rescale = Float(frames) / Float(counted)
            for i in 0..<(batch.frames * b * classes) { dLogits[i] *= rescale }
        }
        return (loss, counted, correct)
    }

    /// Back-propagation through time for one direction; leaves `∂loss/∂z_t` for every frame in
    /// `gateGradients` (and, with a projection, `∂loss/∂r_t` in the workspace).
    private func backRecur(direction d: Int, batch: Batch, mask: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                           parameters p: ParameterLayout.Direction, layer l: Int, workspace: NetworkWorkspace,
                           outputGradient: UnsafeMutablePointer<Float>, gateGradients: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenUnits, o = configuration.outputUnits, g = 4 * h, b = batch.count, stride = 2 * o
        let gates = workspace.gates[l][d].pointer, cells = workspace.cells[l][d].pointer
        let tanhCells = workspace.tanhCells[l][d].pointer
        let scratch = workspace.recurrentScratch[d]
        scratch.reserve(b * (o + 2 * h))
        scratch.zero(b * (o + 2 * h))
        // ∂loss/∂(output at t−1) through the recurrence, ∂loss/∂c_{t−1}, and ∂loss/∂h_t.
        let carried = scratch.pointer, dcCarried = scratch.pointer + b * o, dhStep = scratch.pointer + b * (o + h)
        let dR = workspace.projectionGradients[d].pointer
        for step in 0..<batch.frames {
            // Reverse of the forward processing order.
            let t = d == 0 ? batch.frames - 1 - step : step
            let isFirst = step == batch.frames - 1   // first step of the forward recurrence
            let previous = d == 0 ? t - 1 : t + 1
            // Total gradient with respect to this step's output, then to h_t.
            let dh: UnsafeMutablePointer<Float>
            if let projection = p.projection {
                let dRt = dR + t * b * o
                for u in 0..<b { for j in 0..<o { dRt[u * o + j] = outputGradient[(t * b + u) * stride + j] + carried[u * o + j] } }
                BLAS.gemm(false, false, b, h, o, 1, dRt, o, w + projection, h, 0, dhStep, h)
                dh = dhStep
            } else {
                for u in 0..<b { for j in 0..<h { dhStep[u * h + j] = outputGradient[(t * b + u) * stride + j] + carried[u * h + j] } }
                dh = dhStep
            }
            for u in 0..<b {
                let r = t * b + u
                let previousCell: UnsafePointer<Float>? = isFirst ? nil : UnsafePointer(cells + (previous * b + u) * h)
                ActivationKernels.lstmCellBackward(gates: gates + r * g, tanhCell: tanhCells + r * h, previousCell: previousCell, mask: mask[r],
                                                   dh: dh + u * h, dc: dcCarried + u * h, dz: gateGradients + r * g, hidden: h)
            }
            // ∂loss/∂(output at t−1) through the recurrent weights.
            if !isFirst {
                if workspace.packsRecurrentWeights {
                    workspace.trainingPacks[d].recurrent.product(rows: b, x: gateGradients + t * b * g, ldx: g, y: carried, ldy: o, accumulate: false)
                } else {
                    BLAS.gemm(false, false, b, o, g, 1, gateGradients + t * b * g, g, w + p.recurrentWeights, o, 0, carried, o)
                }
            }
        }
    }
}
