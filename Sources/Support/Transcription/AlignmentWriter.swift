import Audio
import Foundation
import KaldiIO

/// Writes alignments in the formats people read them with: CTM (Kaldi, sclite), Praat TextGrid
/// (long text format, tiers `words` then `phones`, silence as empty intervals, as MFA writes them),
/// JSON and CSV.
///
/// Times: frame 0 starts at 0; the boundary between frames t − 1 and t is placed halfway between
/// their analysis windows' centres, t × `frameShift` + `boundaryOffset`, moved between those
/// centres by the alignment's `boundaryShifts`, unless it carries a refined time for it
/// (`UtteranceAlignment.refinedBoundaries`).
public struct AlignmentWriter {
    /// Seconds per frame. Default 0.01.
    public var frameShift = 0.01
    /// Seconds from t × `frameShift` to the midpoint of the centres of frames t − 1 and t. Default 0.
    public var boundaryOffset = 0.0

    public init(frameShift: Double = 0.01, boundaryOffset: Double = 0) {
        self.frameShift = frameShift
        self.boundaryOffset = boundaryOffset
    }

    /// A writer for features made with `fbank`: Kaldi's frames (`snipEdges`) have their
    /// window's centre half a window after t × shift, so boundaries fall (length − shift) / 2
    /// later (7.5 ms for 25 ms windows every 10 ms); centred frames need no offset.
    public init(fbank: FbankOptions) {
        let shift = fbank.frameShiftMilliseconds / 1000, length = fbank.frameLengthMilliseconds / 1000
        self.init(frameShift: shift, boundaryOffset: fbank.snipEdges ? max(0, (length - shift) / 2) : 0)
    }

    /// Time in seconds of the boundary before frame `frame`.
    public func time(_ frame: Int) -> Double { frame <= 0 ? 0 : Double(frame) * frameShift + boundaryOffset }

    /// Time in seconds of the boundary before frame `frame`, refined when `refined` has it.
    public func time(_ frame: Int, _ refined: [Int: Double]) -> Double { refined[frame] ?? time(frame) }

    /// The times of `alignment`'s boundaries off the frame grid, keyed by the frame each
    /// precedes: its sub-frame shifts, and its refined times in their place where it has them.
    public func boundaryTimes(_ alignment: UtteranceAlignment) -> [Int: Double] {
        var times = alignment.refinedBoundaries
        for (frame, shift) in alignment.boundaryShifts where times[frame] == nil && frame > 0 { times[frame] = time(frame) + shift * frameShift }
        return times
    }

    private func seconds(_ frame: Int, _ refined: [Int: Double]) -> String { String(format: "%.3f", time(frame, refined)) }

    /// One CTM line, `UTT 1 start dur label [confidence]`, for frames `start..<end`.
    public func ctmLine(_ utterance: String, label: String, start: Int, end: Int, confidence: Float? = nil, refined: [Int: Double] = [:]) -> String {
        let line = "\(utterance) 1 \(seconds(start, refined)) \(String(format: "%.3f", time(end, refined) - time(start, refined))) \(label)"
        return (confidence.map { line + String(format: " %.3f", $0) } ?? line) + "\n"
    }

    /// `UTT 1 start dur token` lines (phones including SIL, or words).
    public func ctm(_ utterance: String, _ segments: [AlignedSegment], refined: [Int: Double] = [:]) -> String {
        segments.map { ctmLine(utterance, label: $0.label, start: $0.start, end: $0.end, refined: refined) }.joined()
    }

    /// The segments as CTM entries, times unrounded (for scoring without writing a file).
    public func ctmEntries(_ utterance: String, _ segments: [AlignedSegment], refined: [Int: Double] = [:]) -> [CTMEntry] {
        segments.map { s in
            let start = time(s.start, refined)
            return CTMEntry(utterance: utterance, start: start, duration: time(s.end, refined) - start, label: s.label)
        }
    }

    /// A Praat TextGrid (long text format) with tiers `words` and `phones`; intervals tile
    /// `[0, duration]`, silences and gaps are empty intervals.
    public func textGrid(_ alignment: UtteranceAlignment, duration: Double) -> String {
        textGrid([(offset: 0, alignment: alignment)], duration: duration)
    }

    /// A TextGrid of a whole recording holding several aligned utterances, each `offset` seconds
    /// into it (a corpus folder's TextGrid intervals): one words and one phones tier (named
    /// `tierNames`) tiling `[0, duration]`; what no utterance covers is an empty interval.
    public func textGrid(_ pieces: [(offset: Double, alignment: UtteranceAlignment)], duration: Double,
                         tierNames: (words: String, phones: String) = ("words", "phones")) -> String {
        let sorted = pieces.sorted { $0.offset < $1.offset }
        let end = sorted.reduce(duration) { max($0, $1.offset + time($1.alignment.frames)) }
        func intervals(_ tier: KeyPath<UtteranceAlignment, [AlignedSegment]>, silence: String?) -> [(Double, Double, String)] {
            var out = [(Double, Double, String)]()
            var cursor = 0.0
            for (offset, alignment) in sorted {
                let refined = boundaryTimes(alignment)
                for s in alignment[keyPath: tier] {
                    let start = max(cursor, offset + time(s.start, refined)), stop = max(start, offset + time(s.end, refined))
                    if start > cursor + 1e-9 { out.append((cursor, start, "")) }
                    out.append((start, stop, s.label == silence ? "" : s.label))
                    cursor = stop
                }
            }
            if end > cursor + 1e-9 {
                if let last = out.last, last.2.isEmpty { out[out.count - 1].1 = end } else { out.append((cursor, end, "")) }
            }
            // Merge neighbouring empty intervals.
            var merged = [(Double, Double, String)]()
            for i in out {
                if let last = merged.last, last.2.isEmpty, i.2.isEmpty { merged[merged.count - 1].1 = i.1 } else { merged.append(i) }
            }
            return merged
        }
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "\"", with: "\"\"") }
        let tiers = [(tierNames.words, intervals(\.words, silence: nil)), (tierNames.phones, intervals(\.phones, silence: "SIL"))]
        var text = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = \(format(end))\ntiers? <exists>\nsize = \(tiers.count)\nitem []:\n"
        for (n, tier) in tiers.enumerated() {
            text += "    item [\(n + 1)]:\n        class = \"IntervalTier\"\n        name = \"\(escape(tier.0))\"\n        xmin = 0\n        xmax = \(format(end))\n"
            text += "        intervals: size = \(tier.1.count)\n"
            for (i, interval) in tier.1.enumerated() {
                text += "        intervals [\(i + 1)]:\n            xmin = \(format(interval.0))\n            xmax = \(format(interval.1))\n            text = \"\(escape(interval.2))\"\n"
            }
        }
        return text
    }

    private func format(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// JSON: `{"utterance": …, "words": [{"label", "start", "end"}], "phones": […]}` (seconds).
    public func json(_ alignment: UtteranceAlignment) -> [String: Any] {
        let refined = boundaryTimes(alignment)
        func list(_ segments: [AlignedSegment]) -> [[String: Any]] {
            segments.map { ["label": $0.label, "start": time($0.start, refined), "end": time($0.end, refined)] }
        }
        return ["utterance": alignment.utterance, "words": list(alignment.words), "phones": list(alignment.phones)]
    }

    /// CSV rows `utterance,tier,start,end,label` (seconds).
    public func csv(_ alignment: UtteranceAlignment) -> String {
        var text = ""
        let refined = boundaryTimes(alignment)
        for (tier, segments) in [("words", alignment.words), ("phones", alignment.phones)] {
            for s in segments {
                let label = s.label.contains(",") || s.label.contains("\"") ? "\"\(s.label.replacingOccurrences(of: "\"", with: "\"\""))\"" : s.label
                text += "\(alignment.utterance),\(tier),\(seconds(s.start, refined)),\(seconds(s.end, refined)),\(label)\n"
            }
        }
        return text
    }
}
