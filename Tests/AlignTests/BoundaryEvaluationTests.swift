import Align
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing
import Transcription

@Suite struct BoundaryEvaluationTests {
    private func entries(_ list: [(Double, String)], end: Double, utterance: String = "u") -> [CTMEntry] {
        list.enumerated().map { i, e in CTMEntry(utterance: utterance, start: e.0, duration: (i + 1 < list.count ? list[i + 1].0 : end) - e.0, label: e.1) }
    }

    @Test func boundaryErrorsMatchAHandWorkedExample() {
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

    /// Two utterances with six boundaries: N -> AH twice (30 ms early, 25 ms late), SIL -> T
    /// 30 ms late, the rest exact. Beyond 20 ms: 3.
    private var twoUtterances: BoundaryEvaluation {
        let reference = ["u1": entries([(0, "SIL"), (0.10, "N"), (0.20, "AH"), (0.30, "N"), (0.40, "AH")], end: 0.5, utterance: "u1"),
                         "u2": entries([(0, "SIL"), (0.10, "T"), (0.20, "AH")], end: 0.3, utterance: "u2")]
        let hypothesis = ["u1": entries([(0, "SIL"), (0.10, "N"), (0.17, "AH"), (0.30, "N"), (0.425, "AH")], end: 0.5, utterance: "u1"),
                          "u2": entries([(0, "SIL"), (0.13, "T"), (0.20, "AH")], end: 0.3, utterance: "u2")]
        return BoundaryEvaluation(reference: reference, hypothesis: hypothesis)
    }

    @Test func groupsByThePhonesOnBothSidesPutTheMostMissesFirst() {
        let groups = twoUtterances.groups()
        #expect(groups.map { "\($0.left) \($0.right)" } == ["N AH", "SIL T", "AH N", "SIL N", "T AH"])
        #expect(groups.map(\.boundaries) == [2, 1, 1, 1, 1])
        #expect(groups.map(\.misses) == [2, 1, 0, 0, 0])
        // N -> AH: errors -0.030 and +0.025; the median of two is the upper one.
        #expect(abs(groups[0].medianSigned - 0.025) < 1e-9)
        #expect(abs(groups[1].medianSigned - 0.030) < 1e-9)
        // A wider tolerance: only the two 30 ms errors stay misses.
        #expect(twoUtterances.groups(tolerance: 0.025).map(\.misses) == [1, 1, 0, 0, 0])
    }

    @Test func classesMergeTheirPhonesAndTheTableSharesOutTheMisses() {
        let classes = PhoneClasses(["N": "nasal", "T": "stop", "AH": "vowel"])
        let groups = twoUtterances.groups(classes: classes)
        #expect(groups.map { "\($0.left) \($0.right)" } == ["nasal vowel", "SIL stop", "SIL nasal", "stop vowel", "vowel nasal"])
        let table = twoUtterances.breakdown(count: 2, classes: classes).split(separator: "\n").map(String.init)
        #expect(table.count == 3)
        #expect(table[0].contains("(5 kinds; the 2 with the most beyond 20 ms)"), "\(table[0])")
        #expect(table[1].hasPrefix("  nasal -> vowel") && table[1].contains("2 boundaries,   0.00% within,     2 beyond ( 66.7% of all beyond), median signed  +25.0 ms"), "\(table[1])")
        #expect(table[2].hasPrefix("  SIL -> stop") && table[2].contains("1 beyond ( 33.3% of all beyond), median signed  +30.0 ms"), "\(table[2])")
    }

    @Test func aClassFileNamesTheLineOfAPhoneInTwoClasses() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-classes")
        try TestSupport.write("# manner\nnasal M N NG\n\nstop P T K\n", to: dir + "/good.txt")
        #expect(try PhoneClasses.read(path: dir + "/good.txt") == PhoneClasses(["M": "nasal", "N": "nasal", "NG": "nasal", "P": "stop", "T": "stop", "K": "stop"]))
        try TestSupport.write("nasal M N\nstop N T\n", to: dir + "/twice.txt")
        #expect(throws: KaldiIOError.badLine(path: dir + "/twice.txt", line: 2, reason: "phone 'N' is already in class 'nasal'")) {
            try PhoneClasses.read(path: dir + "/twice.txt")
        }
        try TestSupport.write("nasal M N\nstop\n", to: dir + "/empty.txt")
        #expect(throws: KaldiIOError.badLine(path: dir + "/empty.txt", line: 2, reason: "class 'stop' has no phones (expected 'CLASS PHONE PHONE ...')")) {
            try PhoneClasses.read(path: dir + "/empty.txt")
        }
    }
}
