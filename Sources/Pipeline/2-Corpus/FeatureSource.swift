import Audio
import Core
import Foundation
import KaldiIO

/// The features of a features directory (as `parrot features` writes it: `feats.scp`, optional
/// `cmvn.scp`, `utt2spk`, `feats.json`), read one utterance at a time with CMVN applied on the
/// fly: what an acoustic model takes. Only the utterances being used are in memory.
public struct FeatureSource {
    public let features: ScriptFile
    public let directory: String
    /// Feature settings from `feats.json`, if present.
    public let settings: FeatureSettings?
    let cmvnStatistics: [String: CMVNStatistics]
    let utteranceToSpeaker: PackedTable
    /// How CMVN statistics are keyed (`speaker` when `utt2spk` names the keys of `cmvn.scp`).
    public let cmvn: CMVNMode
    /// What CMVN divides by after it subtracts a speaker's (or utterance's) mean: nothing
    /// (`none`, unless set), each bin's standard deviation (`perBin`) or one for all bins
    /// (`pooled`). A model records it (`AcousticModel.varianceNormalization`), and whoever
    /// feeds a model its features sets it from the model.
    public var varianceNormalization = VarianceNormalization.none
    /// Utterances whose features could not be computed, and why (the directory's `failed.txt`).
    public let failedUtterances: [String: String]
    /// Each speaker's vocal-tract-length warp (`FrequencyWarp`, applied after CMVN), as
    /// `warped(_:)` sets it; a speaker not listed is read as stored.
    public private(set) var speakerWarps: [String: Double] = [:]
    private var warps: [String: FrequencyWarp] = [:]

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
            settings = try? JSONDecoder().decode(FeatureSettings.self, from: data)
        } else {
            settings = nil
        }
        var utt2spk = PackedTable()
        if FileManager.default.fileExists(atPath: file("utt2spk")) {
            utt2spk = try TableFile.packed(path: file("utt2spk"))
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

    /// `raw` (features of `utterance`) with its CMVN statistics applied (its mean subtracted, then
    /// divided as `varianceNormalization` says), then its speaker's warp.
    public func normalized(_ raw: Matrix, of utterance: String) -> Matrix {
        var matrix = raw
        if cmvn != .none {
            let key = cmvn == .speaker ? speaker(of: utterance) : utterance
            if let stats = cmvnStatistics[key], stats.dimension == matrix.columns { stats.apply(to: &matrix, variance: varianceNormalization) }
        }
        if !warps.isEmpty, let warp = warps[speaker(of: utterance)] { matrix = warp.apply(to: matrix) }
        return matrix
    }

    /// Whether `warped(_:)` can warp these features: Parrot's log-Mel filterbank (`feats.json`).
    public var isWarpable: Bool { settings.map { $0.fbank.melBinCount >= 2 } ?? false }

    /// This source with the spectra of the speakers in `factors` warped by their factor (a
    /// formant at f Hz read at factor·f Hz; 1 leaves a speaker as stored). Warping after mean
    /// normalisation is warping before it: the stretch is linear, so a speaker's mean is stretched
    /// with its frames (when `varianceNormalization` divides, the divided spectrum is stretched).
    /// Features that are not Parrot's filterbank are left as they are.
    public func warped(_ factors: [String: Double]) -> FeatureSource {
        var copy = self
        copy.speakerWarps = factors.filter { $0.value != 1 }
        if let fbank = settings?.fbank, isWarpable {
            copy.warps = copy.speakerWarps.mapValues { FrequencyWarp(factor: $0, fbank: fbank) }
        } else {
            copy.speakerWarps = [:]
            copy.warps = [:]
        }
        return copy
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
