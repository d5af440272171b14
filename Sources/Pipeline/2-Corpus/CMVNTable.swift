import Audio
import Core
import Foundation
import KaldiIO

/// CMVN statistics of a features directory: `cmvn.scp` pointing into `cmvn.ark`, one 2 × (D+1)
/// Kaldi matrix per speaker (or utterance).
public enum CMVNTable {
    /// The statistics `scp` lists, in its order.
    /// - Throws: `KaldiIOError.typeMismatch` naming the file and key for an entry that is not statistics.
    public static func read(scp path: String) throws -> [(String, CMVNStatistics)] {
        try ScriptFile(path: path).entries.map { entry in
            guard case let .doubleMatrix(m) = try ScriptFile.read(at: entry.location, key: entry.key), let stats = CMVNStatistics(kaldi: m) else {
                throw KaldiIOError.typeMismatch(path: path, key: entry.key, expected: "2 × (D+1) CMVN statistics", found: "something else")
            }
            return (entry.key, stats)
        }
    }

    /// Writes `directory/cmvn.ark` and `cmvn.scp`, keys in C-locale order.
    /// - Parameter finalDirectory: where the files will be moved to, if `directory` is a staging
    ///   place; `cmvn.scp` points there.
    public static func write(_ statistics: [String: CMVNStatistics], directory: String, finalDirectory: String? = nil) throws {
        let archive = try KaldiArchiveWriter(path: (directory as NSString).appendingPathComponent("cmvn.ark"))
        for key in statistics.keys.sorted(by: cLocaleLess) { try archive.write(key: key, .doubleMatrix(statistics[key]!.kaldiMatrix)) }
        try archive.commit()
        let entries = archive.entries.map { (key: $0.key, location: $0.location.moved(from: directory, to: finalDirectory ?? directory)) }
        try ScriptFile.write(entries, to: (directory as NSString).appendingPathComponent("cmvn.scp"))
    }
}
