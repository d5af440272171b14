/// A mini-batch of utterances, padded to the longest and stored time-major: frame `t` of
/// utterance `b` is row `t·B + b`.
public struct Batch: Sendable {
    /// Frames of the longest utterance (`T`).
    public let frames: Int
    /// Utterances (`B`).
    public let count: Int
    /// Network input dimension (`I`, after splicing).
    public let dimension: Int
    /// `T·B × I` inputs, zero at padded positions.
    public var inputs: [Float]
    /// Frames of each utterance.
    public let lengths: [Int]
    /// `T·B` values, 1 for real frames and 0 for padding.
    public let mask: [Float]
    /// `T·B` class targets, −1 at padding (and wherever no target is known).
    public var targets: [Int32]
    /// Utterance keys, in batch order.
    public let keys: [String]
    /// Each utterance's label sequence, for training with CTC instead of frame targets (the
    /// network's last class is then the blank; see `CTC`). Nil: frame targets.
    public var labels: [[Int32]]?

    /// Packs utterances (`frames × I` row-major inputs, per-frame targets) into one batch.
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
    }

    /// Real (unpadded) frames.
    public var realFrames: Int { lengths.reduce(0, +) }
}
