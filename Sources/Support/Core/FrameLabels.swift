/// One class per frame, stored as runs of equal classes: an alignment's frame targets in about a
/// tenth of the memory of `[Int32]` (a phone lasts about 8 frames; each run takes 8 bytes).
///
/// Training keeps every utterance's targets, and the previous round's, for the whole corpus; as
/// plain arrays they grew by 4 bytes a frame each, 58 MB for 20 hours of speech. Reading it as
/// a collection gives the frames' classes in order, as the array it was made from: iterating is
/// constant time a frame, a subscript a binary search over the runs.
public struct FrameLabels: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    /// A run: its class and the frame after its last (the frames before it, cumulated).
    fileprivate struct Run: Hashable, Sendable {
        var label: Int32
        var end: Int32
    }

    fileprivate var runs: [Run]

    /// The labels of `frames`, in order.
    public init<Labels: Sequence>(_ frames: Labels) where Labels.Element == Int32 {
        var runs = [Run]()
        var count: Int32 = 0
        for label in frames {
            count += 1
            if let last = runs.last, last.label == label { runs[runs.count - 1].end = count } else { runs.append(Run(label: label, end: count)) }
        }
        // Kept at its size: an array grown run by run has up to twice the room it needs.
        self.runs = [Run](unsafeUninitializedCapacity: runs.count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: runs)
        }
    }

    public init(arrayLiteral elements: Int32...) { self.init(elements) }

    /// Runs of equal classes, in order: each class and how many frames it lasts.
    public var runLengths: [(label: Int32, frames: Int)] {
        var start: Int32 = 0
        return runs.map { run in
            defer { start = run.end }
            return (run.label, Int(run.end - start))
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(runs.last?.end ?? 0) }

    /// The class of frame `index`: the first run that ends after it.
    public subscript(index: Int) -> Int32 {
        precondition(index >= 0 && index < endIndex, "frame \(index) outside 0..<\(endIndex)")
        var low = 0, high = runs.count - 1
        while low < high {
            let middle = (low + high) / 2
            if Int(runs[middle].end) > index { high = middle } else { low = middle + 1 }
        }
        return runs[low].label
    }

    /// Walks the runs: constant time a frame.
    public struct Iterator: IteratorProtocol {
        fileprivate let runs: [Run]
        fileprivate var run = 0
        fileprivate var frame: Int32 = 0

        public mutating func next() -> Int32? {
            while run < runs.count, frame >= runs[run].end { run += 1 }
            guard run < runs.count else { return nil }
            frame += 1
            return runs[run].label
        }
    }

    public func makeIterator() -> Iterator { Iterator(runs: runs) }
}
