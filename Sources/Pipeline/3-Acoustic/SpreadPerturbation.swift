import Core
import Foundation

/// A recording's spread changed: every bin of mean-normalised features (a speaker's mean already
/// subtracted) multiplied by its own factor, `exp(level + tilt·u)`, where u runs evenly from −1 at
/// the lowest bin to +1 at the highest. Recordings differ in how far their quiet and loud frames
/// lie apart (a noisy room narrows it, a close microphone widens it), and by how much more in
/// some bands than in others; CMVN takes away the means, not that. `level` scales every bin
/// alike, `tilt` the high bins against the low ones.
public struct SpreadPerturbation: Sendable, Equatable {
    public var level: Double
    public var tilt: Double

    public init(level: Double, tilt: Double) {
        self.level = level
        self.tilt = tilt
    }

    /// Both drawn uniformly from ±`width` (natural log units: 0.3 scales by 0.74 to 1.35).
    public init(width: Double, random: inout SeededGenerator) {
        func draw() -> Double { width * (2 * random.unit() - 1) }
        level = draw()
        tilt = draw()
    }

    /// The factor of each of `bins` bins.
    public func factors(bins: Int) -> [Float] {
        (0..<bins).map { b in
            let u = bins > 1 ? 2 * Double(b) / Double(bins - 1) - 1 : 0
            return Float(exp(level + tilt * u))
        }
    }

    /// `features` (`frames × bins`) with every bin scaled by its factor.
    public func apply(to features: Matrix) -> Matrix {
        let scale = factors(bins: features.columns)
        var out = features
        for i in out.values.indices { out.values[i] *= scale[i % features.columns] }
        return out
    }
}
