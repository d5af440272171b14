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
    /// Training's weights packed for Parrot's kernels, per direction, for the layer being
    /// processed: the recurrent weights, and the input weights for BF16 products. Repacked for
    /// every batch (the weights change after every step) and by the backward pass, which packs
    /// their transposes into the same buffers.
    let trainingPacks = (0..<2).map { _ in PackedLayer(input: PackedWeights(), recurrent: PackedWeights(), keeps: false) }
    /// An inference workspace's packed weights per layer and direction, kept from one batch to
    /// the next while they are the same network's same weights (its `weightsStamp`): the
    /// batches of an alignment, a decoding or `nnet-forward` pack each weight matrix once.
    private var keptPacks: [[PackedLayer]] = []
    /// A layer's input or output frames packed for BF16 weight-gradient products, per direction.
    let packedFrames = [PackedWeights(), PackedWeights()]
    /// The arithmetic of the LSTM layers' products; `Precision.active` when the workspace is made.
    public var precision: Precision {
        didSet { precondition(precision.isAvailable, "\(precision) needs a CPU with AVX512_BF16") }
    }
    /// Whether the recurrent products go through packed weights (always in BF16; in FP32 where
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
        if inferenceOnly, keptPacks.count != c.layers {
            keptPacks = (0..<c.layers).map { _ in (0..<2).map { _ in PackedLayer(input: PackedWeights(), recurrent: PackedWeights(), keeps: true) } }
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

    /// The packed weights of layer `l`, direction `d`: an inference workspace's own for the layer
    /// (kept), a training workspace's per direction (repacked). `prepare` first.
    func packs(layer l: Int, direction d: Int) -> PackedLayer {
        inferenceOnly ? keptPacks[l][d] : trainingPacks[d]
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

/// One layer and direction's packed input and recurrent weights, and which weights they hold.
final class PackedLayer {
    let input: PackedWeights
    let recurrent: PackedWeights
    /// Whether the packing is kept for the next batch (inference) or redone for every one (training).
    private let keeps: Bool
    private var stamp: UInt64?
    private var precision = Precision.fp32

    init(input: PackedWeights, recurrent: PackedWeights, keeps: Bool) {
        (self.input, self.recurrent, self.keeps) = (input, recurrent, keeps)
    }

    /// Whether these buffers already hold the weights named `stamp`, packed for `precision`.
    func hold(_ stamp: UInt64, precision: Precision) -> Bool { keeps && self.stamp == stamp && self.precision == precision }

    /// Records that the buffers now hold the weights named `stamp`, packed for `precision`.
    func packed(_ stamp: UInt64, precision: Precision) { (self.stamp, self.precision) = (stamp, precision) }
}
