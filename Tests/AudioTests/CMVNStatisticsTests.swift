import Audio
import Core
import KaldiIO
import Testing

@Suite struct CMVNStatisticsTests {
    let features = Matrix(rows: 4, columns: 2, values: [1, 10, 2, 20, 3, 30, 6, 60])

    @Test func statisticsUseKaldisTwoRowLayout() {
        let stats = CMVNStatistics(features: features)
        // Row 0: sums then count; row 1: sums of squares then 0.
        #expect(stats.kaldiMatrix.values == [12, 120, 4, 50, 5000, 0])
        #expect(CMVNStatistics(kaldi: stats.kaldiMatrix) == stats)
    }

    @Test func meanNormalisationGivesZeroMean() {
        var m = features
        CMVNStatistics(features: features).apply(to: &m)
        #expect(m.values == [-2, -20, -1, -10, 0, 0, 3, 30])
    }

    @Test func varianceNormalisationGivesUnitVariance() {
        var m = features
        CMVNStatistics(features: features).apply(to: &m, variance: .perBin)
        for c in 0..<2 {
            let column = (0..<4).map { Double(m[$0, c]) }
            let mean = column.reduce(0, +) / 4
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6)
            #expect(abs(variance - 1) < 1e-5)
        }
    }

    /// Pooled: both columns divided by one figure, the root of the columns' mean variance
    /// (here 3.5 and 350: mean 176.75), so their variances keep their ratio of 100.
    @Test func pooledVarianceNormalisationDividesEveryBinByOneFigure() {
        var m = features
        CMVNStatistics(features: features).apply(to: &m, variance: .pooled)
        let s = Float(176.75.squareRoot())
        let centred: [Float] = [-2, -20, -1, -10, 0, 0, 3, 30]
        for i in centred.indices {
            let want = centred[i] / s
            #expect(abs(m.values[i] - want) < 1e-6)
        }
    }

    @Test func speakerStatisticsAreTheSumOfUtterances() {
        var a = CMVNStatistics(features: Matrix(rows: 2, columns: 2, values: [1, 10, 2, 20]))
        a.add(CMVNStatistics(features: Matrix(rows: 2, columns: 2, values: [3, 30, 6, 60])))
        #expect(a == CMVNStatistics(features: features))
    }
}
