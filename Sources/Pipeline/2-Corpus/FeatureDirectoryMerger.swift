import Audio
import Core
import Foundation
import KaldiIO

/// Joins the features directories of a split data directory's parts into one, as Kaldi's
/// `utils/combine_data.sh` does for data and `compute-cmvn-stats` would for statistics: `feats.scp`
/// entries (the archives stay where the parts wrote them), CMVN statistics summed per speaker (so
/// a speaker split over several parts gets exactly the statistics of all their frames), the data
/// tables, `failed.txt`, and `feats.json` (which must be the same in every part).
public enum FeatureDirectoryMerger {
    /// - Throws: `CorpusError.cannotCombine` when parts have different settings or share an
    ///   utterance; I/O errors naming the file.
    public static func merge(parts: [String], into output: String) throws {
        guard !parts.isEmpty else { throw CorpusError.cannotCombine(reason: "no parts to combine") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        func file(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

        let settings = try parts.map { try String(contentsOfFile: file($0, "feats.json"), encoding: .utf8) }
        if let different = parts.indices.first(where: { settings[$0] != settings[0] }) {
            throw CorpusError.cannotCombine(reason: "\(file(parts[different], "feats.json")) differs from \(file(parts[0], "feats.json")): parts made with different settings")
        }

        var features = [(key: String, location: ArchiveLocation)]()
        var owner = [String: String]()
        for part in parts {
            for entry in try ScriptFile(path: file(part, "feats.scp")).entries {
                if let first = owner[entry.key] {
                    throw CorpusError.cannotCombine(reason: "utterance \(entry.key) is in both \(first) and \(part)")
                }
                owner[entry.key] = part
                features.append(entry)
            }
        }
        features.sort { cLocaleLess($0.key, $1.key) }

        var statistics = [String: CMVNStatistics]()
        for part in parts where exists(file(part, "cmvn.scp")) {
            for (key, stats) in try CMVNTable.read(scp: file(part, "cmvn.scp")) {
                if statistics[key] == nil { statistics[key] = stats } else { statistics[key]!.add(stats) }
            }
        }
        if !statistics.isEmpty { try CMVNTable.write(statistics, directory: output) }

        for table in ["text", "utt2spk", "wav.scp", "segments"] where parts.contains(where: { exists(file($0, table)) }) {
            var lines = [String: String]()
            for part in parts where exists(file(part, table)) {
                for (key, value) in try TableFile(path: file(part, table)).dictionary { lines[key] = value }
            }
            try TableFile.write(lines.map { (key: $0.key, value: $0.value) }, to: file(output, table))
        }
        if exists(file(output, "utt2spk")) {
            try TableFile.writeSpeakerIndex(utteranceToSpeaker: try TableFile(path: file(output, "utt2spk")).dictionary.map { ($0.key, $0.value) },
                                            to: file(output, "spk2utt"))
        }
        let failures = try parts.filter { exists(file($0, "failed.txt")) }.map { try String(contentsOfFile: file($0, "failed.txt"), encoding: .utf8) }.joined()
        if failures.isEmpty { try? FileManager.default.removeItem(atPath: file(output, "failed.txt")) } else { try AtomicFile.write(failures, to: file(output, "failed.txt")) }
        try AtomicFile.write(settings[0], to: file(output, "feats.json"))
        // feats.scp last: its presence marks a complete features directory.
        try ScriptFile.write(features, to: file(output, "feats.scp"))
    }
}
