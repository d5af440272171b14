/// One problem found in a data directory, with enough context to fix it.
public struct DataProblem: Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The utterance (or the directory) cannot be used.
        case error
        /// Usable, but probably not what was meant.
        case warning
    }

    public var severity: Severity
    /// Table file name (`text`, `wav.scp`, …) or audio path the problem is in.
    public var file: String
    /// 1-based line number, when the problem is one line.
    public var line: Int?
    /// The utterance (or recording, or speaker) concerned.
    public var key: String?
    public var message: String

    public init(_ severity: Severity, file: String, line: Int? = nil, key: String? = nil, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        let subject = key.map { " '\($0)'" } ?? ""
        return "\(severity.rawValue): \(location):\(subject) \(message)"
    }
}
