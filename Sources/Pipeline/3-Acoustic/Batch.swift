/// A mini-batch of utterances stored time-major, in one of two layouts:
/// - padded (training): every utterance padded to the longest; frame `t` of utterance `b` is row
///   `t·B + b`, and `mask` is 0 at padding;
/// - packed (inference, `init(packing:)`): utterances sorted longest first, and time step `t`
///   holds only the utterances still running, `stepRows(t)` rows from `firstRow(t)`, so frame `t`
///   of utterance `b` is row `firstRow(t) + b` (PyTorch's packed sequences). No row is padding.
public struct Batch: Sendable {
    /// Frames of the longest utterance (`T`).
    public let frames: Int
    /// Utterances (`B`).
    public let count: Int
    /// Network input dimension (`I`, after splicing).
    public let dimension: Int
    /// `rows × I` inputs, zero at padded positions.
    public var inputs: [Float]
    /// Frames of each utterance.
    public let lengths: [Int]
    /// One value per row (`rows`): 1 for real frames, 0 for padding (all 1 when packed).
    public let mask: [Float]
    /// `T·B` class targets, −1 at padding (and wherever no target is known); empty when packed.
    public var targets: [Int32]
    /// Utterance keys, in batch order.
    public let keys: [String]
    /// Each utterance's label sequence, for training with CTC instead of frame targets (the
    /// network's last class is then the blank; see `CTC`). Nil: frame targets.
    public var labels: [[Int32]]?
    /// The first row of each time step, and the rows in all (`T + 1` values) when packed; nil when padded.
    private let stepStarts: [Int]?

    /// Packs utterances (`frames × I` row-major inputs, per-frame targets) into one padded batch.
    public init(keys: [String], inputs: [[Float]], targets: [[Int32]]?, dimension: Int) {
        precondition(!inputs.isEmpty && inputs.count == keys.count)
        let lengths = inputs.map { $0.count / dimension }
        let frames = lengths.max() ?? 0
        let count = inputs.count
        var packed = [Float](repeating: 0, count: frames * count * dimension)
        var mask = [Float](repeating: 0, count: frames * count)
        var packedTargets = [Int32](repeating: -1, count: frames * count)
        for b in 0..<count {
            for t in 0..<lengths[b] {
                let row = t * count + b
                mask[row] = 1
                for i in 0..<dimension { packed[row * dimension + i] = inputs[b][t * dimension + i] }
                if let targets { packedTargets[row] = targets[b][t] }
            }
        }
        self.frames = frames
        self.count = count
        self.dimension = dimension
        self.inputs = packed
        self.lengths = lengths
        self.mask = mask
        self.targets = packedTargets
        self.keys = keys
        stepStarts = nil
    }

    /// Packs utterances (`frames × I` row-major inputs) into one packed batch, for forward passes
    /// alone: only real frames are stored and computed.
    /// - Precondition: the utterances come longest first, and each has at least one frame.
    public init(packing keys: [String], inputs: [[Float]], dimension: Int) {
        precondition(!inputs.isEmpty && inputs.count == keys.count)
        let lengths = inputs.map { $0.count / dimension }
        precondition(lengths.last! > 0 && zip(lengths, lengths.dropFirst()).allSatisfy { $0 >= $1 }, "a packed batch needs its utterances longest first")
        let frames = lengths[0], count = inputs.count
        var starts = [Int](repeating: 0, count: frames + 1)
        var running = count   // utterances longer than t
        for t in 0..<frames {
            while lengths[running - 1] <= t { running -= 1 }
            starts[t + 1] = starts[t] + running
        }
        var packed = [Float](repeating: 0, count: starts[frames] * dimension)
        for t in 0..<frames {
            for b in 0..<(starts[t + 1] - starts[t]) {
                let row = starts[t] + b
                packed[(row * dimension)..<((row + 1) * dimension)] = inputs[b][(t * dimension)..<((t + 1) * dimension)]
            }
        }
        self.frames = frames
        self.count = count
        self.dimension = dimension
        self.inputs = packed
        self.lengths = lengths
        mask = [Float](repeating: 1, count: starts[frames])
        targets = []
        self.keys = keys
        stepStarts = starts
    }

    /// Whether the batch is packed (`init(packing:)`) rather than padded.
    public var isPacked: Bool { stepStarts != nil }

    /// Rows of the batch: `T·B` padded, the real frames packed.
    public var rows: Int { stepStarts?.last ?? frames * count }

    /// The first row of time step `t` (`0 ≤ t ≤ T`; `t = T` gives `rows`).
    public func firstRow(_ t: Int) -> Int { stepStarts?[t] ?? t * count }

    /// Rows of time step `t`: the utterances still running when packed, every utterance when padded.
    public func stepRows(_ t: Int) -> Int { firstRow(t + 1) - firstRow(t) }

    /// The row of frame `t` of utterance `b`.
    /// - Precondition: the frame exists (`t < lengths[b]`) when packed.
    public func row(frame t: Int, utterance b: Int) -> Int { firstRow(t) + b }

    /// Real (unpadded) frames.
    public var realFrames: Int { lengths.reduce(0, +) }
}
