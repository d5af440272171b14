import Core
/// Where one object lives: a file and the byte offset of its `\0B` marker (Kaldi's `file.ark:offset`).
public struct ArchiveLocation: Equatable, Hashable, Sendable {
    public var path: String
    /// Byte offset of the object (just after `key `), or nil for a file holding one bare object.
    public var offset: Int?

    public init(path: String, offset: Int?) {
        self.path = path
        self.offset = offset
    }

    /// Parses `path:offset` or `path`. A trailing `[...]` range specifier is not supported.
    public init?(specifier: String) {
        if let colon = specifier.lastIndex(of: ":"), let value = Int(specifier[specifier.index(after: colon)...]), value >= 0 {
            path = String(specifier[..<colon])
            offset = value
        } else {
            guard !specifier.isEmpty, !specifier.hasSuffix("]") else { return nil }
            path = specifier
            offset = nil
        }
    }

    /// `path:offset`, as written in `.scp` files.
    public var specifier: String { offset.map { "\(path):\($0)" } ?? path }
}

extension ArchiveLocation {
    /// The same place after the archive moves from directory `old` to `new` (unchanged if it is not under `old`).
    public func moved(from old: String, to new: String) -> ArchiveLocation {
        guard old != new, path.hasPrefix(old + "/") else { return self }
        return ArchiveLocation(path: new + path.dropFirst(old.count), offset: offset)
    }
}

/// A Kaldi script file (`feats.scp`, `cmvn.scp`): `KEY file.ark:offset` per line, and random access to the objects.
///
/// Relative archive paths are resolved against the current directory, as Kaldi does; Parrot writes absolute paths.
public struct ScriptFile: Sendable {
    /// Keys and locations in file order.
    public private(set) var entries: [(key: String, location: ArchiveLocation)]
    private var index: [String: Int]

    /// Reads a `.scp` file.
    /// - Throws: `KaldiIOError.badLine` for a line without a location, or a duplicate key.
    public init(path: String) throws {
        let table = try TableFile(path: path)
        var entries = [(key: String, location: ArchiveLocation)]()
        entries.reserveCapacity(table.lines.count)
        var archives = Set<String>()   // one copy of each archive's path, shared by its entries
        for line in table.lines {
            guard var location = ArchiveLocation(specifier: line.value) else {
                throw KaldiIOError.badLine(path: path, line: line.number, reason: "expected 'KEY file.ark:offset', got '\(line.value)'")
            }
            location.path = archives.insert(location.path).memberAfterInsert
            entries.append((line.key, location))
        }
        if let duplicate = table.duplicates.first {
            throw KaldiIOError.badLine(path: path, line: duplicate.number, reason: "duplicate key '\(duplicate.key)'")
        }
        self.init(entries: entries)
    }

    public init(entries: [(key: String, location: ArchiveLocation)]) {
        self.entries = entries
        var index = [String: Int]()
        for (i, entry) in entries.enumerated() { index[entry.key] = i }
        self.index = index
    }

    public var keys: [String] { entries.map(\.key) }

    /// The location of `key`, or nil.
    public func location(of key: String) -> ArchiveLocation? {
        index[key].map { entries[$0].location }
    }

    /// Loads the object stored under `key`.
    /// - Throws: `KaldiIOError` if the key is unknown or the object cannot be read.
    public func read(_ key: String) throws -> KaldiObject {
        guard let location = location(of: key) else {
            throw KaldiIOError.malformed(path: "scp", key: key, offset: 0, reason: "key not in script file")
        }
        return try ScriptFile.read(at: location, key: key)
    }

    /// Loads the object at `location`.
    public static func read(at location: ArchiveLocation, key: String) throws -> KaldiObject {
        let reader = try ByteReader(path: location.path, bufferSize: 1 << 16)
        if let offset = location.offset {
            if let size = reader.fileSize, offset >= size {
                throw KaldiIOError.malformed(path: location.path, key: key, offset: offset,
                                             reason: "the scp offset is past the end of the file (\(size) bytes)")
            }
            try reader.seek(to: offset)
            guard try reader.peekByte() != nil else {
                throw KaldiIOError.truncated(path: location.path, key: key, offset: offset)
            }
        }
        return try KaldiObjectReader.read(from: reader, key: key)
    }

    /// Writes a `.scp` file atomically.
    public static func write(_ entries: [(key: String, location: ArchiveLocation)], to path: String) throws {
        try TableFile.writeInOrder(entries.lazy.map { (key: $0.key, value: $0.location.specifier) }, to: path)
    }
}
