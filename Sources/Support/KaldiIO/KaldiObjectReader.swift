import Core
/// Parses one Kaldi object (binary or text form) from a `ByteReader` positioned just after its key.
///
/// Binary objects start with `\0B`; text objects start with `[` (matrices, vectors) or with
/// integers (integer vectors). Compressed matrices (`CM`, `CM2`, `CM3`) are decoded to floats.
enum KaldiObjectReader {
    /// Largest element count accepted from a header, so a corrupt size cannot ask for terabytes.
    static let maximumElements = 1 << 31

    static func read(from reader: ByteReader, key: String) throws -> KaldiObject {
        // The key is followed by one space, then either "\0B" (binary) or text.
        while let b = try reader.peekByte(), b == 0x20 || b == 0x09 { _ = try reader.readByte() }
        let start = reader.offset
        guard let first = try reader.peekByte() else { throw KaldiIOError.truncated(path: reader.path, key: key, offset: start) }
        if first == 0 {
            let header = try reader.readBytes(2, key: key)
            guard header[1] == UInt8(ascii: "B") else {
                throw KaldiIOError.malformed(path: reader.path, key: key, offset: start, reason: "expected binary marker \\0B")
            }
            return try readBinary(reader, key: key)
        }
        return try readText(reader, key: key)
    }

    /// The rows of a binary `FM` or `DM` matrix, read from its header alone; nil for any other object.
    static func matrixRows(from reader: ByteReader, key: String) throws -> Int? {
        while let b = try reader.peekByte(), b == 0x20 || b == 0x09 { _ = try reader.readByte() }
        guard try reader.peekByte() == 0, try reader.readBytes(2, key: key)[1] == UInt8(ascii: "B"), try reader.peekByte() != 4 else { return nil }
        guard ["FM", "DM"].contains(try readBinaryToken(reader, key: key)) else { return nil }
        return try readDimensions(reader, key: key, count: 2).0
    }

    // MARK: binary

    private static func readBinary(_ reader: ByteReader, key: String) throws -> KaldiObject {
        let offset = reader.offset
        guard let next = try reader.peekByte() else { throw KaldiIOError.truncated(path: reader.path, key: key, offset: offset) }
        if next == 4 { return .intVector(try readIntVector(reader, key: key)) }
        let token = try readBinaryToken(reader, key: key)
        switch token {
        case "FM":
            let (rows, cols) = try readDimensions(reader, key: key, count: 2)
            return .floatMatrix(Matrix(rows: rows, columns: cols, values: try reader.readFloats(count: rows * cols, key: key)))
        case "DM":
            let (rows, cols) = try readDimensions(reader, key: key, count: 2)
            return .doubleMatrix(DoubleMatrix(rows: rows, columns: cols, values: try reader.readDoubles(count: rows * cols, key: key)))
        case "FV":
            let (dim, _) = try readDimensions(reader, key: key, count: 1)
            return .floatVector(try reader.readFloats(count: dim, key: key))
        case "DV":
            let (dim, _) = try readDimensions(reader, key: key, count: 1)
            return .doubleVector(try reader.readDoubles(count: dim, key: key))
        case "CM", "CM2", "CM3":
            return .floatMatrix(try CompressedMatrix.read(from: reader, token: token, key: key))
        default:
            throw KaldiIOError.unsupportedObject(path: reader.path, key: key, token: token)
        }
    }

    /// A binary token: characters up to a space, which is consumed.
    private static func readBinaryToken(_ reader: ByteReader, key: String) throws -> String {
        var bytes = [UInt8]()
        let offset = reader.offset
        while true {
            guard let b = try reader.readByte() else { throw KaldiIOError.truncated(path: reader.path, key: key, offset: reader.offset) }
            if b == 0x20 { break }
            bytes.append(b)
            if bytes.count > 16 || b < 0x20 || b > 0x7E {
                throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "expected a type token such as FM")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One or two `\4`-prefixed int32 sizes.
    private static func readDimensions(_ reader: ByteReader, key: String, count: Int) throws -> (Int, Int) {
        var dims = [Int]()
        for _ in 0..<count {
            dims.append(try readBasicInt32(reader, key: key))
        }
        let offset = reader.offset
        let a = dims[0], b = count > 1 ? dims[1] : 1
        guard a >= 0, b >= 0, a.multipliedReportingOverflow(by: b).partialValue <= maximumElements else {
            throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "implausible dimensions \(dims)")
        }
        return (a, count > 1 ? b : 0)
    }

    /// Kaldi's `WriteBasicType<int32>` in binary: a size byte `\4` then the little-endian value.
    static func readBasicInt32(_ reader: ByteReader, key: String) throws -> Int {
        let offset = reader.offset
        let bytes = try reader.readBytes(5, key: key)
        guard bytes[0] == 4 else {
            throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "expected a 4-byte integer, found size byte \(bytes[0])")
        }
        let value = UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24
        return Int(Int32(bitPattern: value))
    }

    private static func readIntVector(_ reader: ByteReader, key: String) throws -> [Int32] {
        let offset = reader.offset
        let size = try readBasicInt32(reader, key: key)
        guard size >= 0, size <= maximumElements / 5 else {
            throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "implausible integer-vector length \(size)")
        }
        let bytes = try reader.readBytes(size * 5, key: key)
        var out = [Int32](repeating: 0, count: size)
        for i in 0..<size {
            let p = i * 5
            guard bytes[p] == 4 else {
                throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset + 5 + p, reason: "integer vector element without size byte 4")
            }
            let v = UInt32(bytes[p + 1]) | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3]) << 16 | UInt32(bytes[p + 4]) << 24
            out[i] = Int32(bitPattern: v)
        }
        return out
    }

    // MARK: text

    private static func readText(_ reader: ByteReader, key: String) throws -> KaldiObject {
        let offset = reader.offset
        if try reader.peekByte() == UInt8(ascii: "[") {
            _ = try reader.readByte()
            var rows = [[Float]]()
            var current = [Float]()
            var sawNewlineBeforeFirstValue = false
            // `[ 1 2 3 ]` on one line is a vector; rows on their own lines are a matrix, all of one length.
            func finish() throws -> KaldiObject {
                if !sawNewlineBeforeFirstValue && rows.count <= 1 { return .floatVector(rows.first ?? []) }
                let columns = rows.first?.count ?? 0
                guard rows.allSatisfy({ $0.count == columns }) else {
                    throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "text matrix rows have different lengths")
                }
                return .floatMatrix(Matrix(rows: rows.count, columns: columns, values: rows.flatMap { $0 }))
            }
            while true {
                guard let b = try reader.peekByte() else { throw KaldiIOError.truncated(path: reader.path, key: key, offset: reader.offset) }
                switch b {
                case 0x20, 0x09, 0x0D:
                    _ = try reader.readByte()
                case 0x0A:
                    _ = try reader.readByte()
                    if rows.isEmpty && current.isEmpty { sawNewlineBeforeFirstValue = true }
                    if !current.isEmpty { rows.append(current); current = [] }
                case UInt8(ascii: "]"):
                    _ = try reader.readByte()
                    if !current.isEmpty { rows.append(current) }
                    _ = try reader.readLine()  // rest of the line
                    return try finish()
                default:
                    let token = try reader.readToken()
                    let trimmed = token.hasSuffix("]") ? String(token.dropLast()) : token
                    guard let value = Float(trimmed) else {
                        throw KaldiIOError.malformed(path: reader.path, key: key, offset: reader.offset, reason: "'\(token)' is not a number")
                    }
                    current.append(value)
                    if token.hasSuffix("]") {
                        rows.append(current)
                        current = []
                        _ = try reader.readLine()
                        return try finish()
                    }
                }
            }
        }
        // Text integer vector: the rest of the line.
        let line = try reader.readLine() ?? ""
        var values = [Int32]()
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let v = Int32(field) else {
                throw KaldiIOError.malformed(path: reader.path, key: key, offset: offset, reason: "'\(field)' is not an integer")
            }
            values.append(v)
        }
        return .intVector(values)
    }
}
