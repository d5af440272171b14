import Core
/// Writes a Kaldi binary archive (`.ark`) and remembers each object's offset for the `.scp` index.
///
/// The archive is written under a temporary name and appears under its final name only after
/// `commit()`. Format, per entry: `KEY ` `\0B`, then
/// - float matrix: `FM ` `\4` rows `\4` columns, row-major little-endian `Float32`;
/// - double matrix: `DM ` likewise with `Float64`;
/// - float vector: `FV ` `\4` dimension, values;
/// - integer vector: `\4` length, then `\4` value per element (Kaldi's `BasicVectorHolder<int32>`).
public final class KaldiArchiveWriter {
    private let file: AtomicFile
    /// Every object's key and offset, in order (the path is the archive's: 24 bytes an entry),
    /// unless the writer was made without an index.
    private var keys: [String] = []
    private var offsets: [Int] = []
    private let indexed: Bool

    /// Key and location of every object written, in order (none without an index).
    public var entries: [(key: String, location: ArchiveLocation)] {
        let path = file.path
        return zip(keys, offsets).map { (key: $0, location: ArchiveLocation(path: path, offset: $1)) }
    }

    /// Makes room to remember `count` objects without growing.
    public func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        offsets.reserveCapacity(count)
    }

    /// The final path of the archive.
    public var path: String { file.path }

    /// Starts an archive at `path` (written to a temporary name until `commit()`).
    /// - Parameter indexed: remember each object's key and offset for `entries` (an `.scp`
    ///   index); an archive that gets none (`parrot align`'s `ali.ark`) need not hold them.
    public init(path: String, indexed: Bool = true) throws {
        file = try AtomicFile(path: path)
        self.indexed = indexed
    }

    /// Appends one object under `key`.
    /// - Precondition: `key` is non-empty and has no whitespace.
    /// - Returns: the object's location (`path:offset`), for the `.scp` file.
    @discardableResult
    public func write(key: String, _ object: KaldiObject) throws -> ArchiveLocation {
        precondition(!key.isEmpty && !key.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }), "bad archive key '\(key)'")
        var bytes = Array(key.utf8)
        bytes.append(0x20)
        let offset = file.size + bytes.count
        bytes.append(0)
        bytes.append(UInt8(ascii: "B"))
        switch object {
        case let .floatMatrix(m):
            try writeDense(header: bytes, token: "FM", dimensions: [m.rows, m.columns], values: m.values)
        case let .doubleMatrix(m):
            try writeDense(header: bytes, token: "DM", dimensions: [m.rows, m.columns], values: m.values)
        case let .floatVector(v):
            try writeDense(header: bytes, token: "FV", dimensions: [v.count], values: v)
        case let .doubleVector(v):
            try writeDense(header: bytes, token: "DV", dimensions: [v.count], values: v)
        case let .intVector(v):
            Self.appendBasicInt32(Int32(v.count), to: &bytes)
            bytes.reserveCapacity(bytes.count + 5 * v.count)
            for value in v { Self.appendBasicInt32(value, to: &bytes) }
            try file.write(bytes)
        }
        if indexed {
            keys.append(key)
            offsets.append(offset)
        }
        return ArchiveLocation(path: file.path, offset: offset)
    }

    /// Writes `header`, the type token, `\4`-prefixed dimensions and the raw little-endian values,
    /// straight from the array in 1 MB pieces (no copy of a large matrix is made).
    private func writeDense<T: BinaryFloatingPoint>(header: [UInt8], token: String, dimensions: [Int], values: [T]) throws {
        var bytes = header + Array("\(token) ".utf8)
        for dimension in dimensions { Self.appendBasicInt32(Int32(dimension), to: &bytes) }
        try file.write(bytes)
        #if _endian(big)
        #error("Kaldi archives are little-endian; a big-endian host needs byte swapping here")
        #endif
        try values.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + (1 << 20))
                try file.write(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
        }
    }

    /// Finishes the archive: flush, sync, rename to the final name.
    public func commit() throws {
        try file.commit()
    }

    private static func appendBasicInt32(_ value: Int32, to bytes: inout [UInt8]) {
        bytes.append(4)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
