import Audio
import Foundation

/// Settings of a feature-extraction run.
public struct FeatureJobOptions: Codable, Equatable, Sendable {
    public var fbank = FbankOptions()
    public var audio = AudioLoadingOptions()
    /// Number of worker threads (each writes its own archive). Default 1.
    public var jobs: Int = 1
    /// CMVN statistics to write. Default `.speaker`.
    public var cmvn: CMVNMode = .speaker
    /// Speed perturbation, as Kaldi recipes augment training data: for every factor other than
    /// 1, each utterance is also written played that much faster (0.9: 10% slower and lower),
    /// by resampling, as `spF-UTT` of speaker `spF-SPK` with the same transcript. Nil: none.
    public var speedFactors: [Double]?
    /// Noise augmentation: for every signal-to-noise ratio (dB), each utterance is also written
    /// with white Gaussian noise at that level below its RMS, as `nsSNR-UTT` of speaker
    /// `nsSNR-SPK` (the noise is seeded by the utterance, so runs repeat exactly). Nil: none.
    public var noiseSNRs: [Double]?
    /// Room augmentation: for every reverberation time (seconds), each utterance is also written
    /// as heard in a room of that RT60 (`ChannelSimulation.reverberate`; the room's impulse
    /// response seeded by the utterance), as `rvT-UTT` of speaker `rvT-SPK`. Nil: none.
    public var reverbTimes: [Double]?
    /// Telephone augmentation: each utterance is also written as a telephone line passes it
    /// (300–3,400 Hz, 8-bit μ-law; `ChannelSimulation.telephone`), as `tel-UTT` of `tel-SPK`. Nil or false: none.
    public var telephone: Bool?
    /// With several augmentations, each utterance gets one copy instead of one per augmentation,
    /// which one drawn from a hash of its ID (so the copies double the data whatever their
    /// number, and do not depend on how the corpus is split into jobs). Nil or false: a copy per augmentation.
    public var oneCopyEach: Bool?

    public init() {}

    /// Options that make features as `settings` describe them (filterbank, audio, CMVN), with one
    /// job and no augmented copies.
    public init(settings: FeatureSettings) {
        fbank = settings.fbank
        audio = settings.audio
        cmvn = settings.cmvn
    }

    /// One version of every utterance the job writes: the original, a speed or a noise copy.
    struct Version {
        var prefix: String?
        var speed = 1.0
        var noiseSNR: Double?
        var reverbTime: Double?
        var telephone = false

        /// This version's key for utterance `id`: `PREFIX-ID` for a copy.
        func key(of id: String) -> String { prefix.map { "\($0)-\(id)" } ?? id }
    }

    /// The versions written of utterance `id`: the original and every copy, or with
    /// `oneCopyEach` the original and the copy its ID's hash picks.
    func versions(of id: String) -> [Version] {
        let all = versions
        guard oneCopyEach == true, all.count > 2 else { return all }
        return [all[0], all[1 + Int(FeatureExtractionJob.seed(of: id) % UInt64(all.count - 1))]]
    }

    /// How many versions of each utterance are written, on average.
    var copiesPerUtterance: Int { oneCopyEach == true ? min(2, versions.count) : versions.count }

    var versions: [Version] {
        var out = [Version()]
        for f in speedFactors ?? [] where f != 1 { out.append(Version(prefix: "sp\(FeatureJobOptions.formatFactor(f))", speed: f)) }
        for snr in noiseSNRs ?? [] { out.append(Version(prefix: "ns\(FeatureJobOptions.formatFactor(snr))", noiseSNR: snr)) }
        for time in reverbTimes ?? [] { out.append(Version(prefix: "rv\(FeatureJobOptions.formatFactor(time))", reverbTime: time)) }
        if telephone == true { out.append(Version(prefix: "tel", telephone: true)) }
        return out
    }

    static func formatFactor(_ factor: Double) -> String {
        var text = String(format: "%.3f", factor)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The key's speed factor and original key (`sp0.9-UTT` → (0.9, UTT); `ns10-UTT`, `rv0.5-UTT`,
    /// `tel-UTT` → (1, UTT); others → (1, key)).
    public static func unperturbedKey(_ key: String) -> (factor: Double, key: String) {
        guard let dash = key.firstIndex(of: "-") else { return (1, key) }
        let original = String(key[key.index(after: dash)...])
        if key[..<dash] == "tel" { return (1, original) }
        guard key.hasPrefix("sp") || key.hasPrefix("ns") || key.hasPrefix("rv"),
              let value = Double(key[key.index(key.startIndex, offsetBy: 2)..<dash]) else { return (1, key) }
        if key.hasPrefix("sp") && value == 1 { return (1, key) }
        return (key.hasPrefix("sp") ? value : 1, original)
    }

    /// Whether a key is an augmented copy (speed or noise).
    public static func isCopy(_ key: String) -> Bool { unperturbedKey(key).key != key }
}
