/// What can go wrong reading or writing a file outside the Kaldi formats (JSON files, atomic
/// writes, staging directories). Every case names the file.
public enum FileError: Error, Equatable, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
