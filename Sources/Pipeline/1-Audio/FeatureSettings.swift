/// How a model's input features are made from audio: what a model records so that features of
/// new recordings match the ones it was trained on (`feats.json` of a features directory holds
/// the same fields).
public struct FeatureSettings: Codable, Equatable, Sendable {
    /// The log-Mel filterbank.
    public var fbank = FbankOptions()
    /// How recordings are read (sample rate, channel).
    public var audio = AudioLoadingOptions()
    /// How CMVN statistics are grouped. Default `.speaker`.
    public var cmvn: CMVNMode = .speaker
    /// How the training features were produced, kept as a record only: worker threads, and the
    /// speed and noise copies (see `FeatureJobOptions`). Never used to compute features; model
    /// files of format version 1 carry them, so they are read and written back unchanged.
    public var jobs: Int?
    public var speedFactors: [Double]?
    public var noiseSNRs: [Double]?

    public init(fbank: FbankOptions = FbankOptions(), audio: AudioLoadingOptions = AudioLoadingOptions(), cmvn: CMVNMode = .speaker) {
        self.fbank = fbank
        self.audio = audio
        self.cmvn = cmvn
    }
}
