import Core
import Decode
import Foundation
import KaldiIO
import Testing

@Suite struct GrammarTests {
    @Test func jsgfAlternativesRepeatsAndOptionalParts() throws {
        let digits = try WordGrammar(text: """
        #JSGF V1.0;
        grammar digits;
        public <number> = <digit>+;   // one or more
        <digit> = one | two;
        """)
        #expect(digits.sentences(maximumWords: 2) == [["ONE"], ["TWO"], ["ONE", "ONE"], ["ONE", "TWO"], ["TWO", "ONE"], ["TWO", "TWO"]])
        let polite = try WordGrammar(text: "public <s> = [please] (yes | no) thanks*;")
        #expect(polite.sentences(maximumWords: 3) == [["YES"], ["NO"], ["PLEASE", "YES"], ["PLEASE", "NO"], ["YES", "THANKS"], ["NO", "THANKS"],
                                                     ["PLEASE", "YES", "THANKS"], ["PLEASE", "NO", "THANKS"], ["YES", "THANKS", "THANKS"],
                                                     ["NO", "THANKS", "THANKS"]])
    }

    @Test func sentenceListsAcceptExactlyTheirLines() throws {
        let list = try WordGrammar(text: "# a comment\nyes no\n\nno\n")
        #expect(list.sentences(maximumWords: 5) == [["YES", "NO"], ["NO"]])
    }

    @Test func grammarErrorsNameTheLine() throws {
        for (text, message) in [("public <a> = (yes | no;", "<grammar>:1: missing ')'"),
                                ("public <a> = <b>;", "rule <b> is used but not defined"),
                                ("public <a> = yes <a>;", "<grammar>:1: rule <a> is recursive"),
                                ("#JSGF V1.0;\npublic <a> = yes |;", "<grammar>:2: empty alternative")] {
            do {
                _ = try WordGrammar(text: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}

@Suite struct ScoringTests {
    @Test func levenshteinCountsAndOperations() {
        let (counts, operations) = ErrorRate.align(reference: "a b c d e f".split(separator: " ").map(String.init),
                                                   hypothesis: "a x c e f g".split(separator: " ").map(String.init))
        #expect(counts.substitutions == 1 && counts.deletions == 1 && counts.insertions == 1)
        #expect(ErrorRate.summaryLine(counts) == "%WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]")
        #expect(operations.count == 7)
        #expect(operations[1] == .substitution(reference: "b", hypothesis: "x"))
        #expect(operations[3] == .deletion("d"))
        #expect(operations.last == .insertion("g"))
        let empty = ErrorRate.align(reference: ["a", "b"], hypothesis: [])
        #expect(empty.counts.deletions == 2 && empty.counts.errorRate == 100)
        let extra = ErrorRate.align(reference: [], hypothesis: ["a"])
        #expect(extra.counts.insertions == 1 && extra.counts.sentencesWithErrors == 1)
    }

    @Test func substitutionIsPreferredToInsertionPlusDeletion() {
        let counts = ErrorRate.align(reference: ["a", "b"], hypothesis: ["a", "c"]).counts
        #expect(counts.substitutions == 1 && counts.insertions == 0 && counts.deletions == 0)
    }

    @Test func greedyMergingFollowsTheLecture() {
        // Frame winners B B IY IY IY F F IY (the lecture's /B/ /IY/ /F/ /IY/): merged to four
        // symbols whose runs end where the next begins; silence frames dropped.
        let labels = ["SIL", "B", "IY", "F"]
        let winners = [0, 1, 1, 2, 2, 2, 3, 3, 2, 0]
        var m = Matrix(rows: winners.count, columns: labels.count)
        for (t, w) in winners.enumerated() {
            for c in labels.indices { m[t, c] = log(c == w ? 0.7 : 0.1) }
        }
        m[2, 1] = log(0.5)
        let segments = GreedyDecoder.decode(m, labels: labels)
        #expect(segments.map(\.label) == ["B", "IY", "F", "IY"])
        #expect(segments.map(\.start) == [1, 3, 6, 8])
        #expect(segments.map(\.end) == [3, 6, 8, 9])
        #expect(abs(segments[0].confidence - 0.6) < 1e-5)
        #expect(abs(segments[1].confidence - 0.7) < 1e-5)
    }
}
