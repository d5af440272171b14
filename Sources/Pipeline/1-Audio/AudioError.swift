/// What can go wrong turning a sound file into samples or features. Cases carry the file (or the
/// description of a piped command) so batch tools can name the culprit.
public enum AudioError: Error, Equatable, CustomStringConvertible, Sendable {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(path: String)
    case noSamples(path: String)
    case truncatedFile(path: String, declaredFrames: Int, readFrames: Int)
    case nonFiniteSamples(path: String, count: Int)
    case channelOutOfRange(path: String, channel: Int, channels: Int)
    case resamplingFailed(path: String, reason: String)
    case invalidOptions(reason: String)
    case tooShortForOneFrame(path: String, samples: Int, frameLength: Int)

    public var description: String {
        switch self {
        case let .fileNotFound(path): return "\(path): no such file"
        case let .unreadableFile(path, reason): return "\(path): cannot read audio: \(reason)"
        case let .emptyFile(path): return "\(path): file is empty (0 bytes)"
        case let .noSamples(path): return "\(path): audio has no samples"
        case let .truncatedFile(path, declared, read): return "\(path): truncated: header declares \(declared) samples per channel, only \(read) present"
        case let .nonFiniteSamples(path, count): return "\(path): \(count) samples are NaN or infinite"
        case let .channelOutOfRange(path, channel, channels): return "\(path): channel \(channel) requested, file has \(channels) channel(s) (channels count from 0)"
        case let .resamplingFailed(path, reason): return "\(path): resampling failed: \(reason)"
        case let .invalidOptions(reason): return "invalid feature options: \(reason)"
        case let .tooShortForOneFrame(path, samples, frameLength): return "\(path): only \(samples) sample\(samples == 1 ? "" : "s"), shorter than one \(frameLength)-sample frame"
        }
    }
}
