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
    }

    var versions: [Version] {
        var out = [Version()]
        for f in speedFactors ?? [] where f != 1 { out.append(Version(prefix: "sp\(FeatureJobOptions.formatFactor(f))", speed: f)) }
        for snr in noiseSNRs ?? [] { out.append(Version(prefix: "ns\(FeatureJobOptions.formatFactor(snr))", noiseSNR: snr)) }
        return out
    }

    static func formatFactor(_ factor: Double) -> String {
        var text = String(format: "%.3f", factor)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The key's speed factor and original key (`sp0.9-UTT` → (0.9, UTT); `ns10-UTT` → (1, UTT);
    /// others → (1, key)).
    public static func unperturbedKey(_ key: String) -> (factor: Double, key: String) {
        guard key.hasPrefix("sp") || key.hasPrefix("ns"), let dash = key.firstIndex(of: "-"),
              let value = Double(key[key.index(key.startIndex, offsetBy: 2)..<dash]) else { return (1, key) }
        if key.hasPrefix("sp") && value == 1 { return (1, key) }
        return (key.hasPrefix("sp") ? value : 1, String(key[key.index(after: dash)...]))
    }

    /// Whether a key is an augmented copy (speed or noise).
    public static func isCopy(_ key: String) -> Bool { unperturbedKey(key).key != key }
}
