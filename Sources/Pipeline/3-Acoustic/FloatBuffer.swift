/// A reusable, growable block of numbers for the network's hot loops: allocated once, grown
/// when a bigger batch arrives, never freed between batches.
final class ScalarBuffer<Element: AdditiveArithmetic> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: .zero, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` values (contents are undefined after growing).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: .zero, count: count)
    }

    /// Sets the first `count` values to zero.
    func zero(_ count: Int) {
        pointer.update(repeating: .zero, count: count)
    }

    /// The first `count` values as an array.
    func array(_ count: Int) -> [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// FP32 activations, gradients and packed weights.
typealias FloatBuffer = ScalarBuffer<Float>
