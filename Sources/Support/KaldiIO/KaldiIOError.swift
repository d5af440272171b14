/// What can go wrong reading or writing Kaldi files. Every case names the file and, where known,
/// the key and byte offset or line.
public enum KaldiIOError: Error, Equatable, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case truncated(path: String, key: String?, offset: Int)
    case malformed(path: String, key: String?, offset: Int, reason: String)
    case badLine(path: String, line: Int, reason: String)
    case unsupportedObject(path: String, key: String?, token: String)
    case typeMismatch(path: String, key: String, expected: String, found: String)

    public var description: String {
        func at(_ key: String?) -> String { key.map { " (key '\($0)')" } ?? "" }
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        case let .truncated(path, key, offset): return "\(path)\(at(key)): file ends early at byte \(offset) (truncated archive?)"
        case let .malformed(path, key, offset, reason): return "\(path)\(at(key)) at byte \(offset): \(reason)"
        case let .badLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .unsupportedObject(path, key, token): return "\(path)\(at(key)): unsupported Kaldi object type '\(token)'"
        case let .typeMismatch(path, key, expected, found): return "\(path) (key '\(key)'): expected \(expected), found \(found)"
        }
    }
}
