import Core
import Foundation
import KaldiIO

/// A decoded symbol with its frames `[start, end)` and confidence.
public struct DecodedSegment: Equatable, Codable, Sendable {
    public var label: String
    public var start: Int
    public var end: Int
    /// Mean posterior of the symbol over its frames (0–1).
    public var confidence: Float

    public init(label: String, start: Int, end: Int, confidence: Float) {
        self.label = label
        self.start = start
        self.end = end
        self.confidence = confidence
    }
}

/// The lecture's "option 1": the most probable symbol at every frame, adjacent repeats merged
/// into one symbol whose time is its run, silence dropped.
public enum GreedyDecoder {
    /// Decodes a table of log-posteriors (`frames × classes`).
    /// - Parameters:
    ///   - labels: class names.
    ///   - dropped: classes left out of the output (silence, spoken noise).
    public static func decode(_ logPosteriors: Matrix, labels: [String], dropped: Set<String> = ["SIL", "SPN"]) -> [DecodedSegment] {
        let classes = logPosteriors.columns
        var segments = [DecodedSegment]()
        var runClass = -1, runStart = 0
        var posteriorSum: Float = 0
        func close(at end: Int) {
            guard runClass >= 0, !dropped.contains(labels[runClass]) else { return }
            segments.append(DecodedSegment(label: labels[runClass], start: runStart, end: end, confidence: posteriorSum / Float(end - runStart)))
        }
        logPosteriors.values.withUnsafeBufferPointer { values in
            for t in 0..<logPosteriors.rows {
                let row = values.baseAddress! + t * classes
                var best = 0
                for c in 1..<classes where row[c] > row[best] { best = c }
                if best != runClass {
                    close(at: t)
                    runClass = best
                    runStart = t
                    posteriorSum = 0
                }
                posteriorSum += exp(row[best])
            }
        }
        close(at: logPosteriors.rows)
        return segments
    }
}
