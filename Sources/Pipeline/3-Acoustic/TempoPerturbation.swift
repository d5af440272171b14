import Audio
import Core
import Foundation

/// An utterance's frames as if it had been spoken `rate` times as fast: frame t of the result is
/// the original read at t·rate (interpolated linearly between frames, held at the end), and its
/// target is that of the nearest original frame.
public struct TempoPerturbation: Sendable {
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    /// `features` (`frames × D`) and their frame targets, resampled to ⌊frames / rate⌉ frames.
    public func apply(to features: Matrix, targets: [Int32]) -> (Matrix, [Int32]) {
        guard features.rows > 1, targets.count == features.rows else { return (features, targets) }
        let frames = max(1, Int((Double(features.rows) / rate).rounded()))
        var stretched = Matrix(rows: frames, columns: features.columns)
        var stretchedTargets = [Int32](repeating: 0, count: frames)
        for t in 0..<frames {
            let p = min(Double(t) * rate, Double(features.rows - 1))
            let (i, w) = neighbours(p, count: features.rows)
            for j in 0..<features.columns { stretched[t, j] = (1 - w) * features[i, j] + w * features[i + 1, j] }
            stretchedTargets[t] = targets[Int(p.rounded())]
        }
        return (stretched, stretchedTargets)
    }
}

/// Linear interpolation at fractional position `p` of `count` values (0 ≤ p ≤ count − 1, count ≥ 2):
/// the value is `(1 − w)·v[i] + w·v[i + 1]`.
private func neighbours(_ p: Double, count: Int) -> (i: Int, w: Float) {
    let i = min(Int(p), count - 2)
    return (i, Float(p - Double(i)))
}
