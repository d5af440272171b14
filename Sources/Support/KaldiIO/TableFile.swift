import Core
/// A Kaldi key–value table (`wav.scp`, `text`, `utt2spk`, `spk2utt`, `segments`, `feats.scp`):
/// one `KEY VALUE…` per line.
///
/// Reading is forgiving about what editors do to files (a UTF-8 byte-order mark, CRLF line
/// endings, trailing blanks, blank lines) and records, rather than throws on, what Kaldi would
/// reject (duplicate keys, lines out of C-locale order), so `parrot validate` can report every
/// problem at once and batch tools can skip just the bad keys.
public struct TableFile: Sendable {
    /// One non-blank line.
    public struct Line: Equatable, Sendable {
        /// 1-based line number in the file.
        public var number: Int
        public var key: String
        /// Everything after the key and its separating whitespace (may be empty).
        public var value: String
    }

    public let path: String
    /// Lines in file order, first occurrence of each key only.
    public private(set) var lines: [Line] = []
    /// Second and later occurrences of a key.
    public private(set) var duplicates: [Line] = []
    /// For each key that occurs more than once: the number of its first line.
    public private(set) var firstLineOfRepeatedKey: [String: Int] = [:]
    /// Number of the first line whose key sorts before the previous line's key (C-locale byte order), if any.
    public private(set) var firstUnsortedLine: Int?
    /// True if the file started with a UTF-8 byte-order mark.
    public private(set) var hadByteOrderMark = false
    /// True if any line ended with CR LF.
    public private(set) var hadCarriageReturns = false

    /// Reads `path`.
    /// - Throws: `KaldiIOError.cannotOpen` if the file cannot be read, `.badLine` if it is not UTF-8 text.
    public init(path: String) throws {
        var kept = [Line]()
        try self.init(path: path) { kept.append($0) }
        lines = kept
    }

    /// Reads `path`, handing the first occurrence of each key to `body` instead of keeping it in
    /// `lines` (left empty); the problems are recorded as by `init(path:)`. For large tables held
    /// in another form, so they are never held as a string per line.
    public init(path: String, each body: (Line) throws -> Void) throws {
        self.path = path
        var seen = [String: Int]()
        var previousKey: String?
        try Self.forEachLine(path: path) { line, byteOrderMark, carriageReturn in
            hadByteOrderMark = hadByteOrderMark || byteOrderMark
            hadCarriageReturns = hadCarriageReturns || carriageReturn
            if let first = seen[line.key] {
                duplicates.append(line)
                firstLineOfRepeatedKey[line.key] = first
                return
            }
            seen[line.key] = line.number
            if let previousKey, firstUnsortedLine == nil, !(Array(previousKey.utf8).lexicographicallyPrecedes(Array(line.key.utf8))) {
                firstUnsortedLine = line.number
            }
            previousKey = line.key
            try body(line)
        }
    }

    /// The table at `path` read straight into packed form, the first occurrence of each key kept:
    /// for reading a table again when its problems are already known, without a string per line.
    public static func packed(path: String) throws -> PackedTable {
        var builder = PackedTable.Builder()
        try forEachLine(path: path) { line, _, _ in builder.append(key: line.key, value: line.value) }
        return builder.table()
    }

    /// Calls `body` with each non-blank line of `path`, and whether it began with a byte-order
    /// mark or ended with CR.
    private static func forEachLine(path: String, _ body: (Line, Bool, Bool) throws -> Void) throws {
        let reader = try ByteReader(path: path, bufferSize: 1 << 16)
        var number = 0
        while let raw = try Self.readRawLine(reader) {
            number += 1
            var bytes = raw
            var byteOrderMark = false, carriageReturn = false
            if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                bytes.removeFirst(3)
                byteOrderMark = true
            }
            if bytes.last == 0x0D { bytes.removeLast(); carriageReturn = true }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KaldiIOError.badLine(path: path, line: number, reason: "not valid UTF-8 text")
            }
            if bytes.contains(0) {
                throw KaldiIOError.badLine(path: path, line: number, reason: "contains a NUL byte (binary file?)")
            }
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let keyEnd = trimmed.firstIndex { $0 == " " || $0 == "\t" } ?? trimmed.endIndex
            var value = trimmed[keyEnd...].drop { $0 == " " || $0 == "\t" }
            while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
            try body(Line(number: number, key: String(trimmed[..<keyEnd]), value: String(value)), byteOrderMark, carriageReturn)
        }
    }

    private static func readRawLine(_ reader: ByteReader) throws -> [UInt8]? {
        guard try reader.peekByte() != nil else { return nil }
        var bytes = [UInt8]()
        while let b = try reader.readByte(), b != 0x0A { bytes.append(b) }
        return bytes
    }

    /// Keys in file order.
    public var keys: [String] { lines.map(\.key) }

    /// `key → value` for the first occurrence of each key.
    public var dictionary: [String: String] {
        Dictionary(lines.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Keys that occur more than once.
    public var duplicateKeys: Set<String> { Set(duplicates.map(\.key)) }

    /// Writes `KEY VALUE` lines, sorted by key in C-locale order, atomically.
    public static func write(_ pairs: [(key: String, value: String)], to path: String) throws {
        let order = pairs.indices.sorted { cLocaleLess(pairs[$0].key, pairs[$1].key) }
        try writeInOrder(order.lazy.map { pairs[$0] }, to: path)
    }

    /// Writes `KEY VALUE` lines in the order given (for a table, C-locale order of the keys),
    /// atomically, as they come: memory holds a line at a time, not the table.
    public static func writeInOrder<S: Sequence>(_ pairs: S, to path: String) throws where S.Element == (key: String, value: String) {
        let file = try AtomicFile(path: path, bufferSize: 1 << 16)
        for pair in pairs {
            try file.write(pair.key.utf8)
            if !pair.value.isEmpty {
                try file.write(CollectionOfOne(UInt8(ascii: " ")))
                try file.write(pair.value.utf8)
            }
            try file.write(CollectionOfOne(UInt8(ascii: "\n")))
        }
        try file.commit()
    }
}

extension TableFile {
    /// Writes `spk2utt` for `utt2spk` pairs: each speaker with its utterances in C-locale order.
    public static func writeSpeakerIndex<S: Sequence>(utteranceToSpeaker pairs: S, to path: String) throws where S.Element == (String, String) {
        var spk2utt = [String: [String]]()
        for (utterance, speaker) in pairs { spk2utt[speaker, default: []].append(utterance) }
        try write(spk2utt.map { (key: $0.key, value: $0.value.sorted(by: cLocaleLess).joined(separator: " ")) }, to: path)
    }
}
