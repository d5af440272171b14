/// Kaldi's text form of archive entries, as `copy-feats ark:… ark,t:-` prints them.
public enum KaldiText {
    /// `key  [\n  v v v \n  v v v ]\n` for matrices, `key  [ v v v ]\n` for vectors, `key v v v\n` for integer vectors.
    public static func format(key: String, _ object: KaldiObject) -> String {
        func matrix(rows: Int, columns: Int, value: (Int) -> String) -> String {
            if rows == 0 { return "\(key)  [ ]\n" }
            var out = "\(key)  ["
            for r in 0..<rows {
                out += "\n "
                for c in 0..<columns { out += " " + value(r * columns + c) }
                if r == rows - 1 { out += " ]" }
            }
            return out + "\n"
        }
        switch object {
        case let .floatMatrix(m): return matrix(rows: m.rows, columns: m.columns) { "\(m.values[$0])" }
        case let .doubleMatrix(m): return matrix(rows: m.rows, columns: m.columns) { "\(m.values[$0])" }
        case let .floatVector(v): return "\(key)  [ " + v.map { "\($0)" }.joined(separator: " ") + " ]\n"
        case let .doubleVector(v): return "\(key)  [ " + v.map { "\($0)" }.joined(separator: " ") + " ]\n"
        case let .intVector(v): return ([key] + v.map { "\($0)" }).joined(separator: " ") + "\n"
        }
    }
}
