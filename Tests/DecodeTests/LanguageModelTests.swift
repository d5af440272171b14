import Decode
import Foundation
import Testing

/// ARPA back-off arithmetic against values worked by hand, and the estimator's distributions.
@Suite struct LanguageModelTests {
    static let trigram = """
    Header text before \\data\\ is ignored.
    \\data\\
    ngram 1=5
    ngram 2=3
    ngram 3=1

    \\1-grams:
    -1.0\t<s>\t-0.5
    -0.5\tA\t-0.3
    -0.7\tB\t-0.25
    -0.9\t</s>
    -1.2\t<unk>

    \\2-grams:
    -0.2\t<s> A\t-0.15
    -0.4\tA B\t-0.05
    -0.3\tB A

    \\3-grams:
    -0.1\t<s> A B

    \\end\\
    """

    let ln10 = Float(M_LN10)

    @Test func backOffArithmeticMatchesHandComputedValues() throws {
        let lm = try ArpaLanguageModel(text: LanguageModelTests.trigram)
        let s = lm.wordIndex("<s>") ?? -1, a = lm.wordIndex("a")!, b = lm.wordIndex("B")!
        #expect(s == -1, "<s> is not a word the search may output")
        // Listed trigram.
        #expect(abs(lm.logProbability(b, history: [0, a])! - (-0.1 * ln10)) < 1e-5)
        // P(B | A A): no trigram, "A A" not a bigram (back-off 1) → P(B | A) = 10^-0.4.
        #expect(abs(lm.logProbability(b, history: [a, a])! - (-0.4 * ln10)) < 1e-5)
        // P(A | A B): no trigram; back-off(A B) = 10^-0.05; P(A | B) = 10^-0.3 listed.
        #expect(abs(lm.logProbability(a, history: [a, b])! - (-0.05 - 0.3) * ln10) < 1e-5)
        // P(B | <s> B): back-off(<s> B) absent (1); P(B | B): back-off(B) 10^-0.25 × P(B) 10^-0.7.
        #expect(abs(lm.logProbability(b, history: [0, b])! - (-0.25 - 0.7) * ln10) < 1e-5)
        // Whole sentence "A B": P(A|<s>) P(B|<s> A) P(</s>|A B) = 10^(-0.2 - 0.1 + (-0.05 + -0.25 + -0.9)).
        let sentence = try #require(lm.sentenceLogProbability(["A", "B"]))
        #expect(abs(sentence - (-0.2 - 0.1 - 0.05 - 0.25 - 0.9) * ln10) < 1e-4)
        // "B": P(B|<s>) = back-off(<s>) P(B) = 10^(-0.5 - 0.7); P(</s>|<s> B) → P(</s>|B) = 10^(-0.25 - 0.9).
        let single = try #require(lm.sentenceLogProbability(["B"]))
        #expect(abs(single - (-0.5 - 0.7 - 0.25 - 0.9) * ln10) < 1e-4)
        #expect(lm.sentenceLogProbability(["C"]) == nil, "a word the model does not list")
        #expect(lm.counts == [5, 3, 1])
    }

    @Test func malformedFilesNameTheLine() throws {
        let missingEnd = LanguageModelTests.trigram.replacingOccurrences(of: "\\end\\", with: "")
        #expect(throws: DecodeError.badLanguageModel(path: "x.arpa", line: 0, reason: "no \\end\\ line: truncated file?")) {
            try ArpaLanguageModel(text: missingEnd, path: "x.arpa")
        }
        let badNumber = LanguageModelTests.trigram.replacingOccurrences(of: "-0.7\tB", with: "oops\tB")
        do {
            _ = try ArpaLanguageModel(text: badNumber, path: "x.arpa")
            Issue.record("accepted a bad line")
        } catch {
            #expect("\(error)".hasPrefix("x.arpa:10: expected"))
        }
        let wrongCount = LanguageModelTests.trigram.replacingOccurrences(of: "ngram 2=3", with: "ngram 2=4")
        #expect(throws: DecodeError.self) { try ArpaLanguageModel(text: wrongCount, path: "x.arpa") }
        // fuzz-arpa finding: a negative order in the count header indexed an array at -4.
        let negativeOrder = "\\data\\\nngram 1=1\nngram -3=1\n\n\\1-grams:\n-1\tA\n\n\\end\\\n"
        #expect(throws: DecodeError.badLanguageModel(path: "x.arpa", line: 3, reason: "'ngram -3=1': Parrot reads models of order 1 to 3")) {
            try ArpaLanguageModel(text: negativeOrder, path: "x.arpa")
        }
        // Declared but missing: a 2-gram count with no 2-grams section.
        let missingSection = "\\data\\\nngram 1=1\nngram 2=5\n\n\\1-grams:\n-1\tA\n\n\\end\\\n"
        #expect(throws: DecodeError.badLanguageModel(path: "x.arpa", line: 0, reason: "\\data\\ declares 5 2-grams but the file lists 0")) {
            try ArpaLanguageModel(text: missingSection, path: "x.arpa")
        }
    }

    @Test func estimatedModelsAreNormalisedForEveryHistory() throws {
        let sentences = [["THE", "CAT", "SAT"], ["THE", "DOG", "SAT"], ["A", "CAT", "RAN"], ["THE", "CAT", "RAN", "AWAY"], ["A", "DOG"]]
        for order in 1...3 {
            let lm = try ArpaLanguageModel(text: NGramEstimator.arpa(sentences: sentences, order: order))
            let vocabulary = ["THE", "CAT", "SAT", "DOG", "A", "RAN", "AWAY", "<unk>"].map { lm.wordIndex($0)! } + [lm.words.firstIndex(of: "</s>")!]
            let start = lm.words.firstIndex(of: "<s>")!
            let histories: [[Int]] = [[start], [lm.wordIndex("THE")!], [start, lm.wordIndex("THE")!], [lm.wordIndex("CAT")!, lm.wordIndex("RAN")!],
                                      [lm.wordIndex("AWAY")!, lm.wordIndex("A")!]]
            for history in histories {
                let total = vocabulary.reduce(0.0) { $0 + exp(Double(lm.logProbability($1, history: history)!)) }
                #expect(abs(total - 1) < 1e-4, "order \(order), history \(history): sums to \(total)")
            }
        }
        // Seen continuations beat unseen ones.
        let lm = try ArpaLanguageModel(text: NGramEstimator.arpa(sentences: sentences, order: 2))
        let the = lm.wordIndex("THE")!
        #expect(lm.logProbability(lm.wordIndex("CAT")!, history: [the])! > lm.logProbability(lm.wordIndex("SAT")!, history: [the])!)
    }
}
