import Core
/// One value stored in a Kaldi archive.
public enum KaldiObject: Equatable, Sendable {
    /// `FM` (or a compressed `CM`/`CM2`/`CM3`, decoded), or a text matrix.
    case floatMatrix(Matrix)
    /// `DM`, e.g. CMVN statistics.
    case doubleMatrix(DoubleMatrix)
    /// `FV`.
    case floatVector([Float])
    /// `DV`.
    case doubleVector([Double])
    /// An integer vector (alignments), Kaldi's `BasicVectorHolder<int32>`.
    case intVector([Int32])

    /// A short name of the object's kind, for error messages.
    public var kindName: String {
        switch self {
        case .floatMatrix: return "float matrix"
        case .doubleMatrix: return "double matrix"
        case .floatVector: return "float vector"
        case .doubleVector: return "double vector"
        case .intVector: return "integer vector"
        }
    }

    /// The object as a float matrix, converting a double matrix.
    public var asFloatMatrix: Matrix? {
        switch self {
        case let .floatMatrix(m): return m
        case let .doubleMatrix(m): return Matrix(rows: m.rows, columns: m.columns, values: m.values.map { Float($0) })
        default: return nil
        }
    }
}
