import Core
import Foundation
import KaldiIO
import Transcription

/// Rejects recognized words that are far quieter than the rest of their utterance: sounds in the
/// background (a word from another room, the tail of a previous take at the start of a file) that
/// the acoustic model, judging spectral shape, takes for speech.
///
/// A word's level is its loudest frame; the gate keeps a word when that level is within
/// `decibelsBelowLoudest` of the loudest word of the same utterance. Levels come from the
/// log-Mel features themselves (before CMVN): a frame's level is 10·log10 of its total filterbank
/// energy, Σ exp(feature). This is the relative form of an energy voice-activity detector, as
/// pocketsphinx and Kaldi's `compute-vad` use: relative, so the recording's gain does not matter.
public struct QuietWordGate: Equatable, Sendable {
    /// How far (dB) a word's loudest frame may be below the utterance's loudest word. Positive.
    public var decibelsBelowLoudest: Float

    public init(decibelsBelowLoudest: Float) {
        self.decibelsBelowLoudest = decibelsBelowLoudest
    }

    /// Level in dB of every frame of natural-log filterbank features.
    /// - Parameter logMel: `T × D` raw features (no CMVN).
    /// - Returns: `T` levels, 10·log10 Σ_d exp(logMel[t, d]).
    public static func frameLevels(_ logMel: Matrix) -> [Float] {
        (0..<logMel.rows).map { t in
            var largest = -Float.infinity
            for d in 0..<logMel.columns { largest = max(largest, logMel[t, d]) }
            guard largest.isFinite else { return largest }
            var sum: Float = 0
            for d in 0..<logMel.columns { sum += exp(logMel[t, d] - largest) }
            // ln → dB: 10 / ln 10.
            return (largest + log(sum)) * 4.342_944_8
        }
    }

    /// Indices of the words the gate keeps, in order.
    /// - Parameters:
    ///   - words: the words' frame spans (`start..<end` into `levels`).
    ///   - levels: per-frame levels from `frameLevels`.
    public func keptWords(_ words: [AlignedSegment], levels: [Float]) -> [Int] {
        let peaks = words.map { word -> Float in
            let start = min(max(0, word.start), levels.count), end = min(max(start, word.end), levels.count)
            return levels[start..<end].max() ?? -.infinity
        }
        guard let loudest = peaks.max(), loudest.isFinite else { return Array(words.indices) }
        return peaks.indices.filter { peaks[$0] >= loudest - decibelsBelowLoudest }
    }
}
