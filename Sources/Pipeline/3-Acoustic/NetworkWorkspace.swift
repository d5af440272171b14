import Core
import KaldiIO

/// Buffers for one network's forward and backward passes, sized for the largest batch seen and
/// reused for every batch (no allocation in the hot path once warmed up). One per thread.
public final class NetworkWorkspace {
    private(set) var outputs: [FloatBuffer] = []
    private(set) var dropped: [FloatBuffer] = []
    private(set) var dropMasks: [FloatBuffer] = []
    private(set) var gates: [[FloatBuffer]] = []
    private(set) var cells: [[FloatBuffer]] = []
    private(set) var tanhCells: [[FloatBuffer]] = []
    /// `h_t` before the projection (LSTMP only).
    private(set) var cellOutputs: [[FloatBuffer]] = []
    /// `∂loss/∂r_t` per direction (LSTMP only).
    let projectionGradients = [FloatBuffer(), FloatBuffer()]
    let gateGradients = [FloatBuffer(), FloatBuffer()]
    let inputGradients = [FloatBuffer(), FloatBuffer()]
    let recurrentScratch = [FloatBuffer(), FloatBuffer()]
    /// Recurrent weights packed for Parrot's kernels, per direction (for the layer being processed).
    let packedRecurrent = [PackedWeights(), PackedWeights()]
    /// Input weights packed for BF16 products, per direction (for the layer being processed).
    let packedInput = [PackedWeights(), PackedWeights()]
    /// A layer's input or output frames packed for BF16 weight-gradient products, per direction.
    let packedFrames = [PackedWeights(), PackedWeights()]
    /// The arithmetic of the LSTM layers' products; `Precision.active` when the workspace is made.
    public var precision: Precision {
        didSet { precondition(precision.isAvailable, "\(precision) needs a CPU with AVX512_BF16") }
    }
    /// Whether the recurrent products go through `packedRecurrent` (always in BF16; in FP32 where
    /// the AVX-512 kernel runs) rather than OpenBLAS.
    var packsRecurrentWeights: Bool { precision == .bf16 || RecurrentKernel.isEnabled }
    let outputGradient = FloatBuffer()
    let logPosteriors = FloatBuffer()
    let logitGradients = FloatBuffer()
    private var usesDropout = false
    private var classes = 0
    /// For forward passes only: the layers share one set of gate and cell buffers and two output
    /// buffers (training keeps every layer's for the backward pass), and those hold one block of
    /// time steps' gates and two steps' cells, so a batch needs about a tenth of training's
    /// forward memory with three layers.
    public let inferenceOnly: Bool

    /// Also sets OpenBLAS to one thread per call: the network parallelises itself (the two
    /// directions of each layer run concurrently), and BLAS threads on top would only contend.
    /// - Parameter inferenceOnly: a workspace for forward passes alone (alignment, decoding,
    ///   `nnet-forward`); `backward` refuses it.
    public init(inferenceOnly: Bool = false) {
        self.inferenceOnly = inferenceOnly
        precision = Precision.active
        BLAS.useOneThread()
    }

    /// A workspace for forward passes alone (`init(inferenceOnly: true)`).
    public static func forInference() -> NetworkWorkspace { NetworkWorkspace(inferenceOnly: true) }

    /// Rows (time steps × utterances) of input projections an inference workspace computes and
    /// holds at a time: the gate buffer stays a few megabytes whatever the batch's length, and
    /// each block's product is still large enough to run at the kernel's full rate.
    static let inferenceBlockRows = 512

    /// Time steps of a block of input projections in an inference workspace, for a batch of `b` utterances.
    func inferenceBlockSteps(utterances b: Int) -> Int { max(1, Self.inferenceBlockRows / b) }

    /// Makes the forward pass's buffers large enough for a batch of this network: `frames` time
    /// steps of `utterances` utterances.
    func prepare(for c: AcousticModelConfiguration, frames: Int, utterances: Int) {
        let h = c.hiddenUnits, o = c.outputUnits, rows = frames * utterances
        // Inference keeps one block of gates and two steps of cells (`BiLSTMNetwork.recur`).
        let gateRows = inferenceOnly ? min(frames, inferenceBlockSteps(utterances: utterances)) * utterances : rows
        let cellRows = inferenceOnly ? 2 * utterances : rows
        if outputs.count != c.layers, inferenceOnly {
            // Layer l reads layer l−1's output and writes its own: two buffers in turn.
            let twoOutputs = [FloatBuffer(), FloatBuffer()]
            outputs = (0..<c.layers).map { twoOutputs[$0 % 2] }
            dropped = []
            dropMasks = []
            let shared = (gates: [FloatBuffer(), FloatBuffer()], cells: [FloatBuffer(), FloatBuffer()],
                          tanhCells: [FloatBuffer(), FloatBuffer()], cellOutputs: [FloatBuffer(), FloatBuffer()])
            gates = Array(repeating: shared.gates, count: c.layers)
            cells = Array(repeating: shared.cells, count: c.layers)
            tanhCells = Array(repeating: shared.tanhCells, count: c.layers)
            cellOutputs = Array(repeating: shared.cellOutputs, count: c.layers)
        } else if outputs.count != c.layers {
            outputs = (0..<c.layers).map { _ in FloatBuffer() }
            dropped = (0..<c.layers).map { _ in FloatBuffer() }
            dropMasks = (0..<c.layers).map { _ in FloatBuffer() }
            gates = (0..<c.layers).map { _ in [FloatBuffer(), FloatBuffer()] }
            cells = (0..<c.layers).map { _ in [FloatBuffer(), FloatBuffer()] }
            tanhCells = (0..<c.layers).map { _ in [FloatBuffer(), FloatBuffer()] }
            cellOutputs = (0..<c.layers).map { _ in [FloatBuffer(), FloatBuffer()] }
        }
        usesDropout = false
        classes = c.classes
        for l in 0..<c.layers {
            outputs[l].reserve(rows * 2 * o)
            for d in 0..<2 {
                gates[l][d].reserve(gateRows * 4 * h)
                cells[l][d].reserve(cellRows * h)
                tanhCells[l][d].reserve(cellRows * h)
                if c.projection > 0 { cellOutputs[l][d].reserve(cellRows * h) }
            }
        }
        logPosteriors.reserve(rows * c.classes)
    }

    /// Makes the backward pass's buffers large enough for `rows`: only training needs them, so
    /// inference never allocates them.
    func prepareBackward(for c: AcousticModelConfiguration, rows: Int) {
        precondition(!inferenceOnly, "backward needs a training workspace (every layer's gates and cells)")
        let h = c.hiddenUnits, o = c.outputUnits
        if c.projection > 0 { for d in 0..<2 { projectionGradients[d].reserve(rows * o) } }
        let widest = max(c.inputDimension, 2 * o)
        for d in 0..<2 {
            gateGradients[d].reserve(rows * 4 * h)
            inputGradients[d].reserve(rows * widest)
        }
        outputGradient.reserve(rows * widest)
        logitGradients.reserve(rows * c.classes)
    }

    /// Input of layer `l > 0`: the previous layer's output, after dropout if it was applied.
    func layerInput(_ l: Int) -> FloatBuffer { usesDropout ? dropped[l - 1] : outputs[l - 1] }

    /// Inverted dropout on layer `l`'s output: each value kept with probability 1 − p and scaled by 1/(1 − p).
    /// - Parameter count: values in the layer's output (`rows × 2H`).
    func applyDropout(layer l: Int, count: Int, probability p: Float, random: inout SeededGenerator) {
        precondition(!inferenceOnly, "dropout is for training; this workspace is for inference only")
        dropped[l].reserve(count)
        dropMasks[l].reserve(count)
        let keep = 1 / (1 - p)
        let source = outputs[l].pointer, mask = dropMasks[l].pointer, out = dropped[l].pointer
        for i in 0..<count {
            let u = Float(random.next() >> 40) / Float(1 << 24)
            mask[i] = u < p ? 0 : keep
            out[i] = source[i] * mask[i]
        }
        usesDropout = true
    }

    /// Multiplies a gradient with respect to layer `l`'s dropped output by the dropout mask.
    func backpropagateDropout(layer l: Int, gradient: UnsafeMutablePointer<Float>, count: Int) {
        guard usesDropout else { return }
        let mask = dropMasks[l].pointer
        for i in 0..<count { gradient[i] *= mask[i] }
    }

    /// Log-posteriors of the last forward pass, `rows × classes`, time-major.
    public func logPosteriorValues(rows: Int) -> [Float] { logPosteriors.array(rows * classes) }
}
