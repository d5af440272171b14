/// Options for turning an utterance into a waveform.
public struct AudioLoadingOptions: Codable, Equatable, Sendable {
    /// Rate in Hz every recording is converted to. Default 16,000.
    public var sampleRate: Int = 16_000
    /// Channel to keep (from 0); nil averages all channels. Default nil.
    public var channel: Int?
    /// A piped `wav.scp` command is killed after this many seconds. Default 600.
    public var pipeTimeoutSeconds: Double = 600

    public init() {}
}
