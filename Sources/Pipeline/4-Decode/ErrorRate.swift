import Foundation
import Transcription

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

/// Error counts of a hypothesis against its reference, from their Levenshtein alignment
/// (`EditAlignment`), with the operations in order.
public enum ErrorRate {
    /// Aligns two token sequences.
    public static func align(reference: [String], hypothesis: [String]) -> (counts: ErrorCounts, operations: [EditOperation]) {
        var operations = [EditOperation]()
        var counts = ErrorCounts()
        for step in EditAlignment.align(reference, hypothesis) {
            switch step {
            case let (i?, j?) where reference[i] == hypothesis[j]:
                operations.append(.match(reference[i]))
            case let (i?, j?):
                operations.append(.substitution(reference: reference[i], hypothesis: hypothesis[j]))
                counts.substitutions += 1
            case let (i?, nil):
                operations.append(.deletion(reference[i]))
                counts.deletions += 1
            case let (nil, j?):
                operations.append(.insertion(hypothesis[j]))
                counts.insertions += 1
            case (nil, nil):
                break
            }
        }
        counts.referenceTokens = reference.count
        counts.sentences = 1
        counts.sentencesWithErrors = counts.errors > 0 ? 1 : 0
        return (counts, operations)
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
