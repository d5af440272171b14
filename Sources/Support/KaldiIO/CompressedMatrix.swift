import Core
/// Decoding of Kaldi's compressed matrices, as `copy-feats --compress=true` and `make_fbank.sh` write them.
///
/// All three start with a global header: `Float minValue`, `Float range`, `Int32 rows`, `Int32 columns`.
/// - `CM`  (one byte with column headers): per column four `UInt16` percentiles (0, 25, 75, 100) mapped
///   through the global range, then each column's bytes; a byte `b` interpolates piecewise linearly
///   between the percentiles (0…64 → p0…p25, 64…192 → p25…p75, 192…255 → p75…p100).
/// - `CM2` (two bytes): row-major `UInt16`, `value = min + range × b / 65535`.
/// - `CM3` (one byte): row-major `UInt8`, `value = min + range × b / 255`.
enum CompressedMatrix {
    static func read(from reader: ByteReader, token: String, key: String) throws -> Matrix {
        let headerOffset = reader.offset
        let header = try reader.readBytes(16, key: key)
        func u32(_ i: Int) -> UInt32 {
            UInt32(header[i]) | UInt32(header[i + 1]) << 8 | UInt32(header[i + 2]) << 16 | UInt32(header[i + 3]) << 24
        }
        let minValue = Float(bitPattern: u32(0))
        let range = Float(bitPattern: u32(4))
        let rows = Int(Int32(bitPattern: u32(8)))
        let columns = Int(Int32(bitPattern: u32(12)))
        guard rows >= 0, columns >= 0, rows * columns <= KaldiObjectReader.maximumElements, minValue.isFinite, range.isFinite else {
            throw KaldiIOError.malformed(path: reader.path, key: key, offset: headerOffset, reason: "bad compressed-matrix header (\(rows) × \(columns))")
        }
        // The data are read before the matrix is allocated, so a header claiming more than the file holds costs nothing.
        var matrix: Matrix
        switch token {
        case "CM":
            let increment = range * 1.52590218966964e-05 as Float
            let percentiles = try reader.readArray(UInt16.self, count: 4 * columns, key: key)
            let bytes = try reader.readBytes(rows * columns, key: key)
            matrix = Matrix(rows: rows, columns: columns)
            for c in 0..<columns {
                let p0 = minValue + increment * Float(percentiles[4 * c])
                let p25 = minValue + increment * Float(percentiles[4 * c + 1])
                let p75 = minValue + increment * Float(percentiles[4 * c + 2])
                let p100 = minValue + increment * Float(percentiles[4 * c + 3])
                for r in 0..<rows {
                    let b = bytes[c * rows + r]
                    let value: Float
                    if b <= 64 {
                        value = p0 + (p25 - p0) * Float(b) * (1 / 64.0)
                    } else if b <= 192 {
                        value = p25 + (p75 - p25) * Float(Int(b) - 64) * (1 / 128.0)
                    } else {
                        value = p75 + (p100 - p75) * Float(Int(b) - 192) * (1 / 63.0)
                    }
                    matrix.values[r * columns + c] = value
                }
            }
        case "CM2":
            let increment = range / 65535
            let data = try reader.readArray(UInt16.self, count: rows * columns, key: key)
            matrix = Matrix(rows: rows, columns: columns)
            for i in 0..<data.count { matrix.values[i] = minValue + increment * Float(data[i]) }
        default:  // CM3
            let increment = range / 255
            let data = try reader.readBytes(rows * columns, key: key)
            matrix = Matrix(rows: rows, columns: columns)
            for i in 0..<data.count { matrix.values[i] = minValue + increment * Float(data[i]) }
        }
        return matrix
    }
}
