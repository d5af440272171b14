import Foundation

/// A Praat TextGrid read from a text file: its tiers, each a list of intervals or points.
///
/// Reads both of Praat's text formats: the long one (`xmin = 0`, `intervals [1]:`, as Praat and
/// MFA write it) and the short one (values only, one per line), in UTF-8 (with or without a
/// byte-order mark) or UTF-16 with a byte-order mark (what Praat writes when a label is not ASCII).
/// Both formats are the same sequence of values; the long one adds names and indices around
/// them, so the reader takes the values (quoted strings, numbers, `<exists>`) in order and ignores
/// the rest. Praat's binary format is refused with a message saying how to save it as text.
public struct TextGridFile: Equatable, Sendable {
    /// One labelled stretch of an interval tier, in seconds.
    public struct Interval: Equatable, Sendable {
        public var start: Double
        public var end: Double
        public var text: String
        /// 1-based position in its tier, as Praat numbers it.
        public var number: Int
        /// Line of the file its `xmin` is on.
        public var line: Int
    }

    /// A tier: intervals for an `IntervalTier`, none for a `TextTier` (point tiers are kept by name only).
    public struct Tier: Equatable, Sendable {
        public var name: String
        public var isIntervalTier: Bool
        public var intervals: [Interval]
    }

    /// Start and end of the whole TextGrid, seconds.
    public var start: Double
    public var end: Double
    public var tiers: [Tier]

    /// What can be wrong with a TextGrid file.
    public enum ReadError: Error, Equatable, CustomStringConvertible, Sendable {
        case unreadable(path: String, reason: String)
        case notATextGrid(path: String, reason: String)
        case malformed(path: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "\(path): cannot be read: \(reason)"
            case let .notATextGrid(path, reason): return "\(path): not a Praat TextGrid: \(reason)"
            case let .malformed(path, line, reason): return "\(path):\(line): \(reason)"
            }
        }
    }

    /// Reads the TextGrid at `path`.
    /// - Throws: `ReadError` naming the file, and the line for a malformed one.
    public init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReadError.unreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: path)
    }

    /// Parses a TextGrid's bytes; `path` names it in errors.
    public init(data: Data, path: String) throws {
        let bytes = [UInt8](data)
        if bytes.starts(with: Array("ooBinaryFile".utf8)) {
            throw ReadError.notATextGrid(path: path, reason: "Praat's binary format; open it in Praat and save it as a text file")
        }
        guard let text = Self.decodeText(bytes) else {
            throw ReadError.notATextGrid(path: path, reason: "neither UTF-8 nor UTF-16 text")
        }
        var values = TextGridValues(text: text, path: path)
        // "ooTextFile", or "ooTextFile short" as older Praat versions label the short format.
        guard let kind = values.peekString(), kind.hasPrefix("ooTextFile") else {
            throw ReadError.notATextGrid(path: path, reason: "it does not start with File type = \"ooTextFile\"")
        }
        _ = try values.string("the file type")
        let objectClass = try values.string("the object class")
        guard objectClass.hasPrefix("TextGrid") else {
            throw ReadError.notATextGrid(path: path, reason: "a Praat \(objectClass), not a TextGrid")
        }
        start = try values.number("xmin of the TextGrid")
        end = try values.number("xmax of the TextGrid")
        guard end >= start else { throw ReadError.malformed(path: path, line: values.line, reason: "xmax \(end) is before xmin \(start)") }
        tiers = []
        guard try values.flag("tiers? <exists> or <absent>") == "exists" else { return }
        let count = try values.count("the number of tiers")
        for t in 1..<(count + 1) {
            let tierClass = try values.string("the class of tier \(t)")
            let name = try values.string("the name of tier \(t)")
            _ = try values.number("xmin of tier \(t)")
            _ = try values.number("xmax of tier \(t)")
            let size = try values.count("the number of items of tier '\(name)'")
            var tier = Tier(name: name, isIntervalTier: tierClass == "IntervalTier", intervals: [])
            switch tierClass {
            case "IntervalTier":
                for i in 0..<size {
                    let line = values.nextLine
                    let xmin = try values.number("xmin of interval \(i + 1) of tier '\(name)'")
                    let xmax = try values.number("xmax of interval \(i + 1) of tier '\(name)'")
                    let label = try values.string("the text of interval \(i + 1) of tier '\(name)'")
                    tier.intervals.append(Interval(start: xmin, end: xmax, text: label, number: i + 1, line: line))
                }
            case "TextTier":
                for i in 0..<size {
                    _ = try values.number("the time of point \(i + 1) of tier '\(name)'")
                    _ = try values.string("the mark of point \(i + 1) of tier '\(name)'")
                }
            default:
                throw ReadError.malformed(path: path, line: values.line, reason: "tier \(t) has class '\(tierClass)' (expected IntervalTier or TextTier)")
            }
            tiers.append(tier)
        }
    }

    /// UTF-16 with a byte-order mark, else UTF-8 (a UTF-8 byte-order mark dropped).
    private static func decodeText(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return String(data: Data(bytes), encoding: .utf16)
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        return String(bytes: body, encoding: .utf8)
    }
}

/// The values of a TextGrid's text, in order: quoted strings (`""` inside is one quote), numbers
/// and `<flags>`. Names (`xmin =`), indices (`[3]:`) and Praat's `!` comments are skipped.
private struct TextGridValues {
    enum Value { case string(String), number(Double), flag(String) }
    private var values: [(value: Value, line: Int)] = []
    private var position = 0
    private let path: String

    init(text: String, path: String) {
        self.path = path
        var line = 1
        var scalars = Array(text.unicodeScalars)[...]
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
        while let c = scalars.first {
            if c == "\n" { line += 1; scalars = scalars.dropFirst(); continue }
            if c == "\"" {
                let startLine = line
                var s = String.UnicodeScalarView()
                scalars = scalars.dropFirst()
                while let d = scalars.first {
                    scalars = scalars.dropFirst()
                    if d == "\"" {
                        if scalars.first == "\"" { s.append("\""); scalars = scalars.dropFirst(); continue }
                        break
                    }
                    if d == "\n" { line += 1 }
                    s.append(d)
                }
                values.append((.string(String(s)), startLine))
            } else if c == "<" {
                let flag = scalars.dropFirst().prefix { $0 != ">" && !isSpace($0) }
                values.append((.flag(String(String.UnicodeScalarView(flag))), line))
                scalars = scalars.dropFirst(flag.count + 1)
                if scalars.first == ">" { scalars = scalars.dropFirst() }
            } else if c == "[" {
                scalars = scalars.drop { $0 != "]" && $0 != "\n" }
            } else if c == "!" {
                scalars = scalars.drop { $0 != "\n" }
            } else if c.properties.numericType != nil || c == "-" || c == "+" || c == "." {
                let token = scalars.prefix { !isSpace($0) && $0 != "\"" && $0 != "<" && $0 != "!" }
                let text = String(String.UnicodeScalarView(token))
                values.append((Double(text).map(Value.number) ?? .flag(text), line))
                scalars = scalars.dropFirst(token.count)
            } else {
                scalars = scalars.dropFirst()
            }
        }
    }

    /// Line of the last value taken (or 1 before any).
    var line: Int { position == 0 ? 1 : values[min(position, values.count) - 1].line }
    /// Line of the next value.
    var nextLine: Int { position < values.count ? values[position].line : line }

    func peekString() -> String? {
        guard position < values.count, case let .string(s) = values[position].value else { return nil }
        return s
    }

    private mutating func next(_ what: String) throws -> (value: Value, line: Int) {
        guard position < values.count else {
            throw TextGridFile.ReadError.malformed(path: path, line: line, reason: "the file ends before \(what) (cut short?)")
        }
        position += 1
        return values[position - 1]
    }

    mutating func string(_ what: String) throws -> String {
        let v = try next(what)
        guard case let .string(s) = v.value else { throw TextGridFile.ReadError.malformed(path: path, line: v.line, reason: "expected \(what) as a quoted text") }
        return s
    }

    mutating func number(_ what: String) throws -> Double {
        let v = try next(what)
        guard case let .number(x) = v.value, x.isFinite else { throw TextGridFile.ReadError.malformed(path: path, line: v.line, reason: "expected \(what) as a number") }
        return x
    }

    mutating func count(_ what: String) throws -> Int {
        let x = try number(what)
        guard x >= 0, x == x.rounded(), x < 10_000_000 else { throw TextGridFile.ReadError.malformed(path: path, line: line, reason: "\(what) is \(x), not a count") }
        return Int(x)
    }

    mutating func flag(_ what: String) throws -> String {
        let v = try next(what)
        guard case let .flag(f) = v.value else { throw TextGridFile.ReadError.malformed(path: path, line: v.line, reason: "expected \(what)") }
        return f
    }
}
