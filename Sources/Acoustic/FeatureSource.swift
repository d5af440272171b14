import Audio
import Corpus
import Foundation
import KaldiIO

/// Network inputs read from a features directory (as `parrot features` writes it: `feats.scp`,
/// optional `cmvn.scp`, `utt2spk`, `feats.json`) one utterance at a time: CMVN applied on the
/// fly, frames spliced with ±`splice` neighbours (edge frames repeated), then the model's input
/// normalisation. Only the utterances being used are in memory.
public struct FeatureSource {
    public let features: ScriptFile
    public let directory: String
    /// Feature settings from `feats.json`, if present.
    public let settings: FeatureJobOptions?
    let cmvnStatistics: [String: CMVNStatistics]
    let utteranceToSpeaker: [String: String]
    /// How CMVN statistics are keyed (`speaker` when `utt2spk` names the keys of `cmvn.scp`).
    public let cmvn: CMVNMode
    /// Utterances whose features could not be computed, and why (the directory's `failed.txt`).
    public let failedUtterances: [String: String]

    /// Opens `path`: a features directory, or a `feats.scp` inside one.
    /// - Parameter cmvn: override; by default `speaker` if `cmvn.scp` exists, else `none`.
    public init(path: String, cmvn requested: CMVNMode? = nil) throws {
        var isDirectory: ObjCBool = false
        let directory = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? path : (path as NSString).deletingLastPathComponent
        let scpPath = directory == path ? (path as NSString).appendingPathComponent("feats.scp") : path
        let base = directory.isEmpty ? "." : directory
        self.directory = base
        features = try ScriptFile(path: scpPath)
        func file(_ name: String) -> String { (base as NSString).appendingPathComponent(name) }
        if let data = FileManager.default.contents(atPath: file("feats.json")) {
            settings = try? JSONDecoder().decode(FeatureJobOptions.self, from: data)
        } else {
            settings = nil
        }
        var utt2spk = [String: String]()
        if FileManager.default.fileExists(atPath: file("utt2spk")) {
            utt2spk = try TableFile(path: file("utt2spk")).dictionary
        }
        utteranceToSpeaker = utt2spk
        failedUtterances = FileManager.default.fileExists(atPath: file("failed.txt")) ? try TableFile(path: file("failed.txt")).dictionary : [:]
        let cmvnPath = file("cmvn.scp")
        let mode = requested ?? (FileManager.default.fileExists(atPath: cmvnPath) ? (settings?.cmvn ?? .speaker) : CMVNMode.none)
        cmvnStatistics = mode == .none ? [:] : Dictionary(try CMVNTable.read(scp: cmvnPath), uniquingKeysWith: { _, last in last })
        cmvn = mode
    }

    public var keys: [String] { features.keys }

    /// Why `utterance` has no features: the feature step's reason, when it recorded one.
    public func missingFeaturesReason(_ utterance: String) -> String {
        failedUtterances[utterance].map { "no features: \($0)" } ?? "no features (see the features step)"
    }

    /// Speaker of `utterance` (itself without `utt2spk`).
    public func speaker(of utterance: String) -> String { utteranceToSpeaker[utterance] ?? utterance }

    /// Features of `utterance` as stored (`frames × D`, no CMVN).
    public func rawFeatures(_ utterance: String) throws -> Matrix {
        guard let matrix = try features.read(utterance).asFloatMatrix else {
            throw KaldiIOError.typeMismatch(path: features.location(of: utterance)?.path ?? "feats.scp", key: utterance, expected: "feature matrix", found: "vector")
        }
        return matrix
    }

    /// Raw features of `utterance` with CMVN applied (`frames × D`).
    public func normalizedFeatures(_ utterance: String) throws -> Matrix {
        normalized(try rawFeatures(utterance), of: utterance)
    }

    /// `raw` (features of `utterance`) with its CMVN statistics applied.
    public func normalized(_ raw: Matrix, of utterance: String) -> Matrix {
        guard cmvn != .none else { return raw }
        var matrix = raw
        let key = cmvn == .speaker ? speaker(of: utterance) : utterance
        if let stats = cmvnStatistics[key], stats.dimension == matrix.columns { stats.apply(to: &matrix) }
        return matrix
    }

    /// Network input for `utterance`: CMVN, splicing, then `(x − mean) · scale` when given.
    /// - Parameter raw: the utterance's features when already read (read from the archive otherwise).
    /// - Returns: `frames × D·(2·splice+1)` row-major values.
    public func input(_ utterance: String, raw: Matrix? = nil, splice: Int, mean: [Float]? = nil, scale: [Float]? = nil) throws -> (values: [Float], frames: Int) {
        let m = try raw.map { normalized($0, of: utterance) } ?? normalizedFeatures(utterance)
        var values = FeatureSource.splice(m, context: splice)
        if let mean, let scale {
            let width = m.columns * (2 * splice + 1)
            guard mean.count == width else { throw AcousticModelError.dimensionMismatch(utterance: utterance, expected: mean.count / (2 * splice + 1), found: m.columns) }
            for t in 0..<m.rows { for i in 0..<width { values[t * width + i] = (values[t * width + i] - mean[i]) * scale[i] } }
        }
        return (values, m.rows)
    }

    /// Frames spliced with `context` neighbours on each side; frames past either end repeat the edge frame.
    public static func splice(_ m: Matrix, context: Int) -> [Float] {
        guard context > 0 else { return m.values }
        let d = m.columns, width = d * (2 * context + 1)
        var out = [Float](repeating: 0, count: m.rows * width)
        for t in 0..<m.rows {
            for (slot, offset) in (-context...context).enumerated() {
                let source = min(max(t + offset, 0), m.rows - 1)
                for i in 0..<d { out[t * width + slot * d + i] = m.values[source * d + i] }
            }
        }
        return out
    }
}

/// Frame-level class targets: a Kaldi integer-vector archive (binary) or text lines `UTT c c c …`.
public enum TargetTable {
    /// Reads every utterance's targets.
    public static func read(path: String) throws -> [String: [Int32]] {
        var table = [String: [Int32]]()
        let archive = try KaldiArchiveReader(path: path)
        while let (key, object) = try archive.next() {
            guard case let .intVector(values) = object else {
                throw KaldiIOError.typeMismatch(path: path, key: key, expected: "integer vector of targets", found: object.kindName)
            }
            table[key] = values
        }
        return table
    }

    /// Writes targets as a Kaldi integer-vector archive, keys in C-locale order.
    public static func write(_ table: [String: [Int32]], to path: String) throws {
        let writer = try KaldiArchiveWriter(path: path)
        for key in table.keys.sorted(by: cLocaleLess) { try writer.write(key: key, .intVector(table[key]!)) }
        try writer.commit()
    }
}

extension FeatureSource {
    /// The features of a data directory: its own `feats.scp` if it has one, otherwise computed
    /// now (with `options`) into `scratchDirectory`, which becomes a features directory.
    /// - Returns: the source and the feature report when features were computed (nil if reused).
    public static func open(dataDirectory: String, computingInto scratchDirectory: String, options: FeatureJobOptions,
                            progress: ((Int, Int) -> Void)? = nil) throws -> (FeatureSource, FeatureJobReport?) {
        let feats = (dataDirectory as NSString).appendingPathComponent("feats.scp")
        if FileManager.default.fileExists(atPath: feats) { return (try FeatureSource(path: dataDirectory), nil) }
        let scratchFeats = (scratchDirectory as NSString).appendingPathComponent("feats.scp")
        if FileManager.default.fileExists(atPath: scratchFeats) { return (try FeatureSource(path: scratchDirectory), nil) }
        let job = FeatureExtractionJob(data: try DataDirectory(path: dataDirectory), outputDirectory: scratchDirectory, options: options)
        job.progress = progress
        let report = try job.run()
        return (try FeatureSource(path: scratchDirectory), report)
    }
}
