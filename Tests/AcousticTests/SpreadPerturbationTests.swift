import Acoustic
import Core
import Foundation
import Testing

@Suite struct SpreadPerturbationTests {
    /// Three bins (u = −1, 0, +1): a level of ln 2 doubles every bin; a tilt of ln 2 halves the
    /// lowest, keeps the middle and doubles the highest; both together give 1, 2, 4.
    @Test func levelScalesEveryBinAndTiltTheHighAgainstTheLow() {
        let ln2 = log(2.0)
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 } && a.count == b.count }
        #expect(close(SpreadPerturbation(level: ln2, tilt: 0).factors(bins: 3), [2, 2, 2]))
        #expect(close(SpreadPerturbation(level: 0, tilt: ln2).factors(bins: 3), [0.5, 1, 2]))
        #expect(close(SpreadPerturbation(level: ln2, tilt: ln2).factors(bins: 3), [1, 2, 4]))
        // Five bins: u = −1, −½, 0, ½, 1, so a tilt of ln 4 gives ¼, ½, 1, 2, 4.
        #expect(close(SpreadPerturbation(level: 0, tilt: log(4.0)).factors(bins: 5), [0.25, 0.5, 1, 2, 4]))
        var features = Matrix(rows: 0, columns: 3)
        features.appendRow([1, -2, 3])
        features.appendRow([-4, 0, 0.5])
        let scaled = SpreadPerturbation(level: ln2, tilt: ln2).apply(to: features)
        #expect(close(scaled.values, [1, -4, 12, -4, 0, 2]))
    }

    /// Drawn factors stay within exp(±2·width) and, over many draws, levels and tilts cover both
    /// signs evenly (means near 0, the extremes near ±width).
    @Test func drawsAreUniformWithinTheWidth() {
        var random = SeededGenerator(seed: 7)
        let draws = (0..<4000).map { _ in SpreadPerturbation(width: 0.3, random: &random) }
        #expect(draws.allSatisfy { abs($0.level) <= 0.3 && abs($0.tilt) <= 0.3 })
        let meanLevel = draws.map(\.level).reduce(0, +) / Double(draws.count)
        let meanTilt = draws.map(\.tilt).reduce(0, +) / Double(draws.count)
        #expect(abs(meanLevel) < 0.02 && abs(meanTilt) < 0.02)
        #expect(draws.map(\.level).max()! > 0.29 && draws.map(\.level).min()! < -0.29)
        // A uniform draw on ±0.3 has variance 0.03.
        let variance = draws.map { $0.level * $0.level }.reduce(0, +) / Double(draws.count)
        #expect(abs(variance - 0.03) < 0.003)
        #expect(draws.allSatisfy { p in p.factors(bins: 40).allSatisfy { Double($0) <= exp(0.6) + 1e-6 && Double($0) >= exp(-0.6) - 1e-6 } })
    }
}
