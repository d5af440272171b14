/// Reads a Kaldi archive (`.ark`) entry by entry, holding one object in memory at a time.
///
/// ```swift
/// let reader = try KaldiArchiveReader(path: "feats.1.ark")
/// while let (key, object) = try reader.next() { … }
/// ```
public final class KaldiArchiveReader {
    private let reader: ByteReader

    /// Opens an archive.
    /// - Throws: `KaldiIOError.cannotOpen`.
    public init(path: String) throws {
        reader = try ByteReader(path: path)
    }

    /// The next key and object, or nil at the end of the archive.
    /// - Throws: `KaldiIOError` naming the file, key and byte offset of a malformed or truncated entry.
    public func next() throws -> (key: String, object: KaldiObject)? {
        try reader.skipWhitespace()
        guard try reader.peekByte() != nil else { return nil }
        let keyOffset = reader.offset
        let key = try reader.readToken()
        guard !key.isEmpty else {
            throw KaldiIOError.malformed(path: reader.path, key: nil, offset: keyOffset, reason: "expected a key")
        }
        guard try reader.peekByte() != nil else { throw KaldiIOError.truncated(path: reader.path, key: key, offset: reader.offset) }
        return (key, try KaldiObjectReader.read(from: reader, key: key))
    }

    /// Every entry of the archive, in order. Loads all of them: for large archives iterate with `next()`.
    public static func readAll(path: String) throws -> [(key: String, object: KaldiObject)] {
        let archive = try KaldiArchiveReader(path: path)
        var entries = [(key: String, object: KaldiObject)]()
        while let entry = try archive.next() { entries.append(entry) }
        return entries
    }
}
