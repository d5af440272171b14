import Foundation

/// One step of the alignment of a hypothesis to its reference.
public enum EditOperation: Equatable, Sendable {
    case match(String)
    case substitution(reference: String, hypothesis: String)
    case insertion(String)
    case deletion(String)
}

/// Error counts, as Kaldi's `compute-wer` reports them.
public struct ErrorCounts: Equatable, Sendable {
    public var insertions = 0
    public var deletions = 0
    public var substitutions = 0
    /// Reference tokens.
    public var referenceTokens = 0
    /// Sentences, and sentences with at least one error.
    public var sentences = 0
    public var sentencesWithErrors = 0

    public init() {}

    public var errors: Int { insertions + deletions + substitutions }

    /// Errors per 100 reference tokens (100 when the reference is empty but the hypothesis is not).
    public var errorRate: Double {
        referenceTokens > 0 ? 100 * Double(errors) / Double(referenceTokens) : (errors > 0 ? 100 : 0)
    }

    public var sentenceErrorRate: Double { sentences > 0 ? 100 * Double(sentencesWithErrors) / Double(sentences) : 0 }

    public static func + (a: ErrorCounts, b: ErrorCounts) -> ErrorCounts {
        var sum = a
        sum.insertions += b.insertions
        sum.deletions += b.deletions
        sum.substitutions += b.substitutions
        sum.referenceTokens += b.referenceTokens
        sum.sentences += b.sentences
        sum.sentencesWithErrors += b.sentencesWithErrors
        return sum
    }
}

/// Levenshtein alignment of a hypothesis to a reference: the fewest insertions, deletions and
/// substitutions (each costing 1) turning one into the other, with the operations in order.
/// Among equally short edit sequences, substitutions are preferred to an insertion plus a
/// deletion, as `compute-wer` and sclite count them.
public enum ErrorRate {
    /// Aligns two token sequences.
    public static func align(reference: [String], hypothesis: [String]) -> (counts: ErrorCounts, operations: [EditOperation]) {
        let n = reference.count, m = hypothesis.count
        // cost[i][j]: edits between reference[..<i] and hypothesis[..<j].
        var cost = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    let diagonal = cost[i - 1][j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1)
                    cost[i][j] = min(diagonal, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var operations = [EditOperation]()
        var counts = ErrorCounts()
        var i = n, j = m
        while i > 0 || j > 0 {
            if i > 0 && j > 0 && cost[i][j] == cost[i - 1][j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1) {
                if reference[i - 1] == hypothesis[j - 1] {
                    operations.append(.match(reference[i - 1]))
                } else {
                    operations.append(.substitution(reference: reference[i - 1], hypothesis: hypothesis[j - 1]))
                    counts.substitutions += 1
                }
                i -= 1; j -= 1
            } else if i > 0 && cost[i][j] == cost[i - 1][j] + 1 {
                operations.append(.deletion(reference[i - 1]))
                counts.deletions += 1
                i -= 1
            } else {
                operations.append(.insertion(hypothesis[j - 1]))
                counts.insertions += 1
                j -= 1
            }
        }
        counts.referenceTokens = n
        counts.sentences = 1
        counts.sentencesWithErrors = counts.errors > 0 ? 1 : 0
        return (counts, operations.reversed())
    }

    /// `%WER 1.23 [ 12 / 976, 3 ins, 4 del, 5 sub ]` (`label` WER or PER).
    public static func summaryLine(_ counts: ErrorCounts, label: String = "WER") -> String {
        "%\(label) \(String(format: "%.2f", counts.errorRate)) [ \(counts.errors) / \(counts.referenceTokens), \(counts.insertions) ins, \(counts.deletions) del, \(counts.substitutions) sub ]"
    }

    /// `%SER 10.00 [ 1 / 10 ]`.
    public static func sentenceLine(_ counts: ErrorCounts) -> String {
        "%SER \(String(format: "%.2f", counts.sentenceErrorRate)) [ \(counts.sentencesWithErrors) / \(counts.sentences) ]"
    }

    /// sclite-style lines for one utterance: the reference and hypothesis with their tokens padded
    /// to a common width (`***` for a missing token; errors upper-cased as sclite does is left to
    /// the reader, tokens keep their case), and the operation under each column (S, I, D).
    public static func alignmentLines(utterance: String, _ operations: [EditOperation], counts: ErrorCounts) -> String {
        var ref = [String](), hyp = [String](), op = [String]()
        for operation in operations {
            switch operation {
            case let .match(token): ref.append(token); hyp.append(token); op.append("")
            case let .substitution(r, h): ref.append(r); hyp.append(h); op.append("S")
            case let .insertion(h): ref.append("***"); hyp.append(h); op.append("I")
            case let .deletion(r): ref.append(r); hyp.append("***"); op.append("D")
            }
        }
        func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        let widths = ref.indices.map { max(ref[$0].count, hyp[$0].count, op[$0].count) }
        func row(_ tokens: [String]) -> String {
            tokens.indices.map { pad(tokens[$0], widths[$0]) }.joined(separator: " ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }
        return """
        \(utterance) ref  \(row(ref))
        \(utterance) hyp  \(row(hyp))
        \(utterance) op   \(row(op))
        \(utterance) #csid \(counts.referenceTokens - counts.substitutions - counts.deletions) \(counts.substitutions) \(counts.insertions) \(counts.deletions)

        """
    }
}
