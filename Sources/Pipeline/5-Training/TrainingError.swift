/// What can stop training before it starts.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A model directory begun one way (flat start, or from a starting model) resumed the other way.
    case differentStart(directory: String, begun: String, requested: String)

    public var description: String {
        switch self {
        case let .differentStart(directory, begun, requested):
            return "\(directory) was begun with \(begun); resuming it with \(requested) would mix the two runs: use another model directory, or remove this one"
        }
    }
}
