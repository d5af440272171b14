import Acoustic
import Core
import Foundation
import Testing

@Suite struct TempoPerturbationTests {
    /// Five frames 0…4 (targets a a b b c): at twice the speed, frames 0, 2, 4; at half the
    /// speed, ten frames stepping by a half (the last held), targets of the nearest frame
    /// (halves round up).
    @Test func framesAreResampledAndTargetsFollowTheNearestFrame() {
        var features = Matrix(rows: 0, columns: 2)
        for t in 0..<5 { features.appendRow([Float(t), Float(10 * t)]) }
        let targets: [Int32] = [0, 0, 1, 1, 2]
        let (fast, fastTargets) = TempoPerturbation(rate: 2).apply(to: features, targets: targets)
        #expect(fast.rows == 3)
        #expect((0..<3).map { fast[$0, 0] } == [0, 2, 4] && (0..<3).map { fast[$0, 1] } == [0, 20, 40])
        #expect(fastTargets == [0, 1, 2])
        let (slow, slowTargets) = TempoPerturbation(rate: 0.5).apply(to: features, targets: targets)
        #expect(slow.rows == 10)
        #expect((0..<10).map { slow[$0, 0] } == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4])
        #expect(slowTargets == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
        let (same, sameTargets) = TempoPerturbation(rate: 1).apply(to: features, targets: targets)
        #expect(same == features && sameTargets == targets)
    }
}
