import Audio

/// Where a recording's audio comes from: a `wav.scp` value.
public enum RecordingSource: Equatable, Sendable, CustomStringConvertible {
    /// A sound file path.
    case file(path: String)
    /// A shell command whose standard output is a sound file (`wav.scp` value ending in `|`).
    case command(String)

    /// Parses a `wav.scp` value: `path` or `command … |`.
    public init(wavScpValue value: String) {
        let trimmed = value.trimmingSpaces
        if trimmed.hasSuffix("|") {
            self = .command(String(trimmed.dropLast()).trimmingSpaces)
        } else {
            self = .file(path: trimmed)
        }
    }

    public var description: String {
        switch self {
        case let .file(path): return path
        case let .command(command): return "\(command) |"
        }
    }

    /// Decodes the audio (running the command for piped sources).
    /// - Throws: `AudioError` or `CorpusError` naming the file or command.
    public func decode(pipeTimeoutSeconds: Double) throws -> DecodedAudio {
        switch self {
        case let .file(path):
            return try SoundFile.read(path: path)
        case let .command(command):
            let bytes = try PipeCommand.output(of: command, timeoutSeconds: pipeTimeoutSeconds)
            return try SoundFile.decode(bytes: bytes, description: "output of '\(command)'")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
