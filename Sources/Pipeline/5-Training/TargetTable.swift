import Core
import Foundation
import KaldiIO

/// Frame-level class targets: a Kaldi integer-vector archive (binary) or text lines `UTT c c c …`,
/// held as runs (`FrameLabels`).
public enum TargetTable {
    /// Reads every utterance's targets, or only those of `keys`.
    public static func read(path: String, keys: Set<String>? = nil) throws -> [String: FrameLabels] {
        var table = [String: FrameLabels]()
        let archive = try KaldiArchiveReader(path: path)
        while let (key, object) = try archive.next() {
            if let keys, !keys.contains(key) { continue }
            guard case let .intVector(values) = object else {
                throw KaldiIOError.typeMismatch(path: path, key: key, expected: "integer vector of targets", found: object.kindName)
            }
            table[key] = FrameLabels(values)
        }
        return table
    }

    /// Writes targets as a Kaldi integer-vector archive, keys in C-locale order.
    public static func write(_ table: [String: FrameLabels], to path: String) throws {
        let writer = try KaldiArchiveWriter(path: path)
        for key in table.keys.sorted(by: cLocaleLess) { try writer.write(key: key, .intVector(Array(table[key]!))) }
        try writer.commit()
    }
}
