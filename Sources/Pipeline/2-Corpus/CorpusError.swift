/// What can go wrong with a data directory or one of its recordings.
public enum CorpusError: Error, Equatable, CustomStringConvertible, Sendable {
    case notADirectory(path: String)
    case missingTable(directory: String, file: String)
    case commandFailed(command: String, status: Int32, stderr: String)
    case commandTimedOut(command: String, seconds: Double)
    case commandNotStarted(command: String, reason: String)
    case unknownRecording(utterance: String, recording: String)
    case badSegment(utterance: String, reason: String)
    case cannotCombine(reason: String)
    case emptyCorpusFolder(path: String)

    public var description: String {
        switch self {
        case let .notADirectory(path): return "\(path): not a directory"
        case let .missingTable(directory, file): return "\(directory): no \(file)"
        case let .commandFailed(command, status, stderr):
            let tail = stderr.isEmpty ? "" : ": \(stderr)"
            return "command '\(command)' exited with status \(status)\(tail)"
        case let .commandTimedOut(command, seconds): return "command '\(command)' did not finish within \(Int(seconds)) s (killed)"
        case let .commandNotStarted(command, reason): return "command '\(command)' could not be started: \(reason)"
        case let .unknownRecording(utterance, recording): return "segment '\(utterance)' refers to recording '\(recording)', which is not in wav.scp"
        case let .badSegment(utterance, reason): return "segment '\(utterance)': \(reason)"
        case let .cannotCombine(reason): return "cannot combine features directories: \(reason)"
        case let .emptyCorpusFolder(path):
            return "\(path): neither a Kaldi data directory (no wav.scp or feats.scp) nor a corpus folder (no audio files: .wav, .flac, … beside .lab, .txt or .TextGrid transcripts)"
        }
    }
}
