import Foundation

/// Small JSON files beside the archives (job descriptions, training histories): written
/// atomically, read with the file named in any error.
public enum JSONFile {
    /// Writes `value` as JSON (keys sorted, so equal values give equal files).
    public static func write<T: Encodable>(_ value: T, to path: String, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        try AtomicFile.write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n", to: path)
    }

    /// Reads a `T` from `path`.
    /// - Throws: `FileError.cannotOpen` naming the file when it cannot be read or decoded.
    public static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError.cannotOpen(path: path, reason: "no such file or not readable") }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw FileError.cannotOpen(path: path, reason: "not the expected JSON: \(error)")
        }
    }
}

/// A JSON array written one element at a time (per utterance, as results arrive), so that a
/// corpus's report never has to be held whole: byte for byte what `JSONSerialization` writes for
/// the whole array with `[.prettyPrinted, .sortedKeys]`, and a final newline. Written atomically.
public final class JSONArrayWriter {
    private let file: AtomicFile
    private var count = 0

    /// - Throws: `FileError.cannotWrite`.
    public init(path: String) throws {
        file = try AtomicFile(path: path)
        try file.write("[\n")
    }

    /// Appends one element (a dictionary or an array of JSON values).
    public func append(_ element: Any) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: element, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        // One level deeper inside the array; the empty lines of empty arrays stay empty.
        let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
        try file.write(count == 0 ? indented : ",\n" + indented)
        count += 1
    }

    /// Closes the array and renames the file into place.
    public func commit() throws {
        try file.write("\n]\n")
        try file.commit()
    }
}
