import Foundation
import KaldiIO

/// Writes alignments in the formats people read them with: CTM (Kaldi, sclite), Praat TextGrid
/// (long text format, tiers `words` then `phones`, silence as empty intervals, as MFA writes them),
/// JSON and CSV. Times are frame indices × the frame shift.
public struct AlignmentWriter {
    /// Seconds per frame. Default 0.01.
    public var frameShift = 0.01

    public init(frameShift: Double = 0.01) {
        self.frameShift = frameShift
    }

    private func seconds(_ frame: Int) -> String { String(format: "%.3f", Double(frame) * frameShift) }

    /// `UTT 1 start dur token` lines (phones including SIL, or words).
    public func ctm(_ utterance: String, _ segments: [AlignedSegment]) -> String {
        segments.map { "\(utterance) 1 \(seconds($0.start)) \(String(format: "%.3f", Double($0.end - $0.start) * frameShift)) \($0.label)\n" }.joined()
    }

    /// A Praat TextGrid (long text format) with tiers `words` and `phones`; intervals tile
    /// `[0, duration]`, silences and gaps are empty intervals.
    public func textGrid(_ alignment: UtteranceAlignment, duration: Double) -> String {
        let end = max(duration, Double(alignment.frames) * frameShift)
        func intervals(_ segments: [AlignedSegment], silence: String?) -> [(Double, Double, String)] {
            var out = [(Double, Double, String)]()
            var cursor = 0.0
            for s in segments {
                let start = Double(s.start) * frameShift, stop = Double(s.end) * frameShift
                if start > cursor + 1e-9 { out.append((cursor, start, "")) }
                out.append((start, stop, s.label == silence ? "" : s.label))
                cursor = stop
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
        let tiers = [("words", intervals(alignment.words, silence: nil)), ("phones", intervals(alignment.phones, silence: "SIL"))]
        var text = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = \(format(end))\ntiers? <exists>\nsize = \(tiers.count)\nitem []:\n"
        for (n, tier) in tiers.enumerated() {
            text += "    item [\(n + 1)]:\n        class = \"IntervalTier\"\n        name = \"\(tier.0)\"\n        xmin = 0\n        xmax = \(format(end))\n"
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
        func list(_ segments: [AlignedSegment]) -> [[String: Any]] {
            segments.map { ["label": $0.label, "start": Double($0.start) * frameShift, "end": Double($0.end) * frameShift] }
        }
        return ["utterance": alignment.utterance, "words": list(alignment.words), "phones": list(alignment.phones)]
    }

    /// CSV rows `utterance,tier,start,end,label` (seconds).
    public func csv(_ alignment: UtteranceAlignment) -> String {
        var text = ""
        for (tier, segments) in [("words", alignment.words), ("phones", alignment.phones)] {
            for s in segments {
                let label = s.label.contains(",") || s.label.contains("\"") ? "\"\(s.label.replacingOccurrences(of: "\"", with: "\"\""))\"" : s.label
                text += "\(alignment.utterance),\(tier),\(seconds(s.start)),\(seconds(s.end)),\(label)\n"
            }
        }
        return text
    }
}
