import KaldiIO

/// A CTM line: `UTT channel start duration label [confidence]`.
public struct CTMEntry: Equatable, Sendable {
    public var utterance: String
    public var start: Double
    public var duration: Double
    public var label: String
    public var end: Double { start + duration }

    public init(utterance: String, start: Double, duration: Double, label: String) {
        self.utterance = utterance
        self.start = start
        self.duration = duration
        self.label = label
    }

    /// Reads a CTM file, grouped by utterance in file order.
    /// - Throws: `KaldiIOError.badLine` for a malformed line.
    public static func read(path: String) throws -> [String: [CTMEntry]] {
        var out = [String: [CTMEntry]]()
        let reader = try ByteReader(path: path, bufferSize: 1 << 16)
        var number = 0
        while let line = try reader.readLine() {
            number += 1
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty { continue }
            guard f.count >= 5, let start = Double(f[2]), let duration = Double(f[3]), start >= 0, duration >= 0 else {
                throw KaldiIOError.badLine(path: path, line: number, reason: "expected 'UTT channel start duration label', got '\(line)'")
            }
            out[String(f[0]), default: []].append(CTMEntry(utterance: String(f[0]), start: start, duration: duration, label: String(f[4])))
        }
        return out
    }
}
