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
