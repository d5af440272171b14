/// A dense row-major matrix of `Float`, the currency between Parrot's stages.
///
/// A feature matrix is `frames × dimension`; a log-posterior matrix is `frames × classes`.
public struct Matrix: Equatable, Sendable {
    /// Number of rows (frames, for features).
    public private(set) var rows: Int
    /// Number of columns (feature dimension or classes).
    public let columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]

    /// A zero-filled `rows × columns` matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: 0, count: rows * columns)
    }

    /// A matrix over existing row-major values; `values.count` must equal `rows × columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "values.count \(values.count) != \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Element at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Float {
        get { values[r * columns + c] }
        set { values[r * columns + c] = newValue }
    }

    /// A copy of row `r`.
    public func row(_ r: Int) -> ArraySlice<Float> {
        values[(r * columns)..<((r + 1) * columns)]
    }

    /// Appends one row of `columns` values.
    public mutating func appendRow<C: Collection>(_ row: C) where C.Element == Float {
        precondition(row.count == columns, "row has \(row.count) values, matrix has \(columns) columns")
        values.append(contentsOf: row)
        rows += 1
    }

    /// True when every value is finite (no NaN or infinity).
    public var isFinite: Bool { values.allSatisfy { $0.isFinite } }

    /// Every row with its `context` neighbours on each side, concatenated in time order (rows
    /// past either end repeat the edge row): `rows × columns·(2·context+1)` row-major values.
    public func spliced(context: Int) -> [Float] {
        guard context > 0 else { return values }
        let d = columns, width = d * (2 * context + 1)
        var out = [Float](repeating: 0, count: rows * width)
        for t in 0..<rows {
            for (slot, offset) in (-context...context).enumerated() {
                let source = min(max(t + offset, 0), rows - 1)
                for i in 0..<d { out[t * width + slot * d + i] = values[source * d + i] }
            }
        }
        return out
    }
}

/// A dense row-major matrix of `Double` (Kaldi `DM`), used for CMVN statistics.
public struct DoubleMatrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]? = nil) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.values = values ?? [Double](repeating: 0, count: rows * columns)
        precondition(self.values.count == rows * columns, "values.count != rows × columns")
    }

    public subscript(r: Int, c: Int) -> Double {
        get { values[r * columns + c] }
        set { values[r * columns + c] = newValue }
    }
}
