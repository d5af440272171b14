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
    /// Number of the first line whose key sorts before the previous line's key (C-locale byte order), if any.
    public private(set) var firstUnsortedLine: Int?
    /// True if the file started with a UTF-8 byte-order mark.
    public private(set) var hadByteOrderMark = false
    /// True if any line ended with CR LF.
    public private(set) var hadCarriageReturns = false

    /// Reads `path`.
    /// - Throws: `KaldiIOError.cannotOpen` if the file cannot be read, `.badLine` if it is not UTF-8 text.
    public init(path: String) throws {
        self.path = path
        let reader = try ByteReader(path: path, bufferSize: 1 << 16)
        var number = 0
        var seen = Set<String>()
        var previousKey: String?
        while let raw = try Self.readRawLine(reader) {
            number += 1
            var bytes = raw
            if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                bytes.removeFirst(3)
                hadByteOrderMark = true
            }
            if bytes.last == 0x0D { bytes.removeLast(); hadCarriageReturns = true }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KaldiIOError.badLine(path: path, line: number, reason: "not valid UTF-8 text")
            }
            if bytes.contains(0) {
                throw KaldiIOError.badLine(path: path, line: number, reason: "contains a NUL byte (binary file?)")
            }
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let keyEnd = trimmed.firstIndex { $0 == " " || $0 == "\t" } ?? trimmed.endIndex
            let key = String(trimmed[..<keyEnd])
            var value = trimmed[keyEnd...].drop { $0 == " " || $0 == "\t" }
            while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
            let line = Line(number: number, key: key, value: String(value))
            if seen.contains(key) {
                duplicates.append(line)
                continue
            }
            seen.insert(key)
            if let previousKey, firstUnsortedLine == nil, !(Array(previousKey.utf8).lexicographicallyPrecedes(Array(key.utf8))) {
                firstUnsortedLine = number
            }
            previousKey = key
            lines.append(line)
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

    /// `key → value` for the first occurrence of each key, packed.
    public var packed: PackedTable { PackedTable(lines.lazy.map { (key: $0.key, value: $0.value) }) }

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
