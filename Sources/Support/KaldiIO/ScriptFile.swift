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
///
/// The index is held packed: the keys' bytes in one run, each archive's path once, and 20 bytes
/// an entry besides (where its key ends, its archive, its offset, its place in key order). An
/// array of keys and locations with a dictionary over it spent about a hundred bytes an entry,
/// which `parrot align` and `train` hold for every utterance of the corpus.
public struct ScriptFile: Sendable {
    /// Every key's bytes, in file order.
    private var keyBytes: [UInt8] = []
    /// Per entry, in file order: where its key ends in `keyBytes`.
    private var keyEnds: [UInt32] = []
    /// Per entry: its archive (an index into `archives`) and offset (−1: a file holding one bare object).
    private var archiveIndex: [UInt32] = []
    private var offsets: [Int64] = []
    private var archives: [String] = []
    /// The entries' numbers in the byte order of their keys, for binary search.
    private var keyOrder: [UInt32] = []

    private init() {}

    /// Reads a `.scp` file.
    /// - Throws: `KaldiIOError.badLine` for a line without a location, or a duplicate key.
    public init(path: String) throws {
        var builder = Builder()
        let table = try TableFile(path: path) { line in
            guard let location = ArchiveLocation(specifier: line.value) else {
                throw KaldiIOError.badLine(path: path, line: line.number, reason: "expected 'KEY file.ark:offset', got '\(line.value)'")
            }
            builder.append(key: line.key, location: location)
        }
        if let duplicate = table.duplicates.first {
            throw KaldiIOError.badLine(path: path, line: duplicate.number, reason: "duplicate key '\(duplicate.key)'")
        }
        self = builder.scriptFile()
    }

    /// The entries in this order; of repeated keys, lookups find the last.
    public init<S: Sequence>(entries: S) where S.Element == (key: String, location: ArchiveLocation) {
        var builder = Builder()
        for entry in entries { builder.append(key: entry.key, location: entry.location) }
        self = builder.scriptFile()
    }

    /// Collects entries in file order, then sorts the key order once.
    private struct Builder {
        var file = ScriptFile()
        var archiveNumbers: [String: UInt32] = [:]

        mutating func append(key: String, location: ArchiveLocation) {
            file.keyBytes.append(contentsOf: key.utf8)
            precondition(file.keyBytes.count <= Int(UInt32.max), "a script file of more than 4 GiB of keys")
            file.keyEnds.append(UInt32(file.keyBytes.count))
            let number = archiveNumbers[location.path] ?? {
                file.archives.append(location.path)
                archiveNumbers[location.path] = UInt32(file.archives.count - 1)
                return UInt32(file.archives.count - 1)
            }()
            file.archiveIndex.append(number)
            file.offsets.append(Int64(location.offset ?? -1))
        }

        func scriptFile() -> ScriptFile {
            var result = file
            let count = result.keyEnds.count
            // Stable: of repeated keys the later entry sorts later, and the search below finds the last.
            let order = result.keyBytes.withUnsafeBufferPointer { all in
                (0..<count).sorted { a, b in
                    let order = ByteOrder.compare(result.key(a, in: all), result.key(b, in: all))
                    return order != 0 ? order < 0 : a < b
                }
            }
            result.keyOrder = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for (i, entry) in order.enumerated() { buffer[i] = UInt32(entry) }
                initialized = count
            }
            // Arrays grown entry by entry have up to twice the room they need: keep them at their size.
            func exact<T>(_ array: [T]) -> [T] { array.withUnsafeBufferPointer { Array($0) } }
            (result.keyBytes, result.keyEnds) = (exact(result.keyBytes), exact(result.keyEnds))
            (result.archiveIndex, result.offsets) = (exact(result.archiveIndex), exact(result.offsets))
            return result
        }
    }

    /// Entries in the file.
    public var count: Int { keyEnds.count }

    /// Keys and locations in file order.
    public var entries: [(key: String, location: ArchiveLocation)] {
        (0..<count).map { (key: key(at: $0), location: location(at: $0)) }
    }

    /// The keys in file order.
    public var keys: [String] { (0..<count).map(key(at:)) }

    /// The location of `key`, or nil.
    public func location(of key: String) -> ArchiveLocation? {
        entry(of: key).map(location(at:))
    }

    private func key(at entry: Int) -> String {
        keyBytes.withUnsafeBufferPointer { String(decoding: key(entry, in: $0), as: UTF8.self) }
    }

    private func key(_ entry: Int, in all: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: all[(entry == 0 ? 0 : Int(keyEnds[entry - 1]))..<Int(keyEnds[entry])])
    }

    private func location(at entry: Int) -> ArchiveLocation {
        ArchiveLocation(path: archives[Int(archiveIndex[entry])], offset: offsets[entry] < 0 ? nil : Int(offsets[entry]))
    }

    /// The entry whose key is `key` (the last of repeated ones), by binary search over the key order.
    private func entry(of key: String) -> Int? {
        var key = key
        return key.withUTF8 { wanted in
            keyBytes.withUnsafeBufferPointer { all in
                ByteOrder.lastPosition(of: wanted, count: keyOrder.count) { self.key(Int(keyOrder[$0]), in: all) }.map { Int(keyOrder[$0]) }
            }
        }
    }

    /// The rows (frames) of the matrix stored under `key`, read from its header; nil when the key
    /// is unknown, the object is not a binary float or double matrix, or it cannot be read.
    public func rows(of key: String) -> Int? {
        guard let location = location(of: key), let offset = location.offset,
              let reader = try? ByteReader(path: location.path, bufferSize: 64), (try? reader.seek(to: offset)) != nil else { return nil }
        return (try? KaldiObjectReader.matrixRows(from: reader, key: key)) ?? nil
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
