import Core
import KaldiIO

/// Frequency and time masking of normalised network inputs (SpecAugment's masks, without time
/// warping): two bands of up to `frequencyWidth` feature bins and two runs of up to `timeWidth`
/// frames (at most a fifth of the utterance) are set to 0, the inputs' mean. With spliced
/// inputs the same bins are masked in every spliced copy of a frame.
public struct InputMasking: Sendable {
    public var frequencyWidth: Int
    public var timeWidth: Int
    /// Frames of context spliced on each side (inputs are `frames × bins·(2·splice+1)`).
    public var splice: Int

    public init(frequencyWidth: Int, timeWidth: Int, splice: Int = 0) {
        self.frequencyWidth = frequencyWidth
        self.timeWidth = timeWidth
        self.splice = splice
    }

    /// Masks `values` (row-major, `frames` rows) in place.
    public func apply(to values: inout [Float], frames: Int, random: inout SeededGenerator) {
        guard frames > 0 else { return }
        let width = values.count / frames
        let copies = 2 * splice + 1
        let bins = width / copies
        if frequencyWidth > 0, bins > 1 {
            for _ in 0..<2 {
                let w = random.integer(in: 0...min(frequencyWidth, bins - 1))
                guard w > 0 else { continue }
                let first = random.integer(in: 0...(bins - w))
                for t in 0..<frames {
                    for copy in 0..<copies {
                        let base = t * width + copy * bins
                        for j in first..<(first + w) { values[base + j] = 0 }
                    }
                }
            }
        }
        if timeWidth > 0, frames >= 5 {
            for _ in 0..<2 {
                let w = random.integer(in: 0...min(timeWidth, frames / 5))
                guard w > 0 else { continue }
                let first = random.integer(in: 0...(frames - w))
                for i in (first * width)..<((first + w) * width) { values[i] = 0 }
            }
        }
    }
}
