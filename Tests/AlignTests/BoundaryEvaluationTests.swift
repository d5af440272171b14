import Align
import Testing
import Transcription

@Suite struct BoundaryEvaluationTests {
    @Test func boundaryErrorsMatchAHandWorkedExample() {
        func entries(_ list: [(Double, String)], end: Double) -> [CTMEntry] {
            list.enumerated().map { i, e in CTMEntry(utterance: "u", start: e.0, duration: (i + 1 < list.count ? list[i + 1].0 : end) - e.0, label: e.1) }
        }
        let reference = ["u": entries([(0, "SIL"), (0.10, "Y"), (0.20, "EH"), (0.32, "S")], end: 0.5)]
        let hypothesis = ["u": entries([(0, "SIL"), (0.11, "Y"), (0.26, "EH"), (0.32, "S"), (0.45, "SIL")], end: 0.5)]
        let evaluation = BoundaryEvaluation(reference: reference, hypothesis: hypothesis)
        #expect(evaluation.boundaries == 3)
        #expect(abs(evaluation.mean - 0.070 / 3) < 1e-9)
        #expect(abs(evaluation.median - 0.010) < 1e-9)
        // Signed: +0.01 (Y late), +0.06 (EH late), 0 (S): the median is +0.01, late.
        #expect(zip(evaluation.signedErrors, [0, 0.01, 0.06]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(abs(evaluation.medianSigned - 0.010) < 1e-9)
        #expect(evaluation.summary.contains("median signed error: +10.0 ms"))
        #expect(abs(evaluation.within(0.010) - 2.0 / 3) < 1e-9)
        #expect(abs(evaluation.within(0.050) - 2.0 / 3) < 1e-9)
        #expect(evaluation.within(0.060) == 1)
    }
}
