#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered reader over a file, for parsing archives without loading them whole.
///
/// Memory use is the buffer (1 MiB by default) plus whatever the caller asks for; random access
/// (`seek(to:)`) serves `.scp` lookups.
public final class ByteReader {
    /// The file's path, for error messages.
    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0          // next unread byte in `buffer`
    private var end = 0            // one past the last valid byte in `buffer`
    private var bufferFileOffset = 0  // file offset of buffer[0]
    private var reachedEOF = false
    /// The size of a regular file when opened (nil for pipes and devices): a length field
    /// claiming more bytes than remain is refused before anything is allocated for it.
    public let fileSize: Int?

    /// Opens `path` for reading.
    /// - Throws: `KaldiIOError.cannotOpen` when the file cannot be opened.
    public init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw KaldiIOError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        var st = stat()
        let statted = fstat(fd, &st) == 0
        if statted, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw KaldiIOError.cannotOpen(path: path, reason: "is a directory")
        }
        fileSize = statted && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
        descriptor = fd
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 4096))
    }

    deinit { close(descriptor) }

    /// Byte offset in the file of the next byte `readByte()` returns.
    public var offset: Int { bufferFileOffset + start }

    /// Moves to byte `offset` of the file.
    public func seek(to offset: Int) throws {
        if offset >= bufferFileOffset && offset <= bufferFileOffset + end {
            start = offset - bufferFileOffset
            return
        }
        if lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
            throw KaldiIOError.malformed(path: path, key: nil, offset: offset, reason: "cannot seek: \(String(cString: strerror(errno)))")
        }
        bufferFileOffset = offset
        start = 0
        end = 0
        reachedEOF = false
    }

    /// Refills the buffer; returns false at end of file.
    private func fill() throws -> Bool {
        if start < end { return true }
        if reachedEOF { return false }
        bufferFileOffset += end
        start = 0
        end = 0
        let n = try buffer.withUnsafeMutableBytes { try readSome(into: $0, at: bufferFileOffset) }
        if n == 0 { reachedEOF = true; return false }
        end = n
        return true
    }

    /// One read(2) into `destination` (retried when a signal interrupts it): the bytes read, 0 at
    /// end of file. `fileOffset` is where it reads, for the error.
    /// - Throws: `KaldiIOError.malformed` on a read error.
    private func readSome(into destination: UnsafeMutableRawBufferPointer, at fileOffset: Int) throws -> Int {
        while true {
            let got = read(descriptor, destination.baseAddress, destination.count)
            if got >= 0 { return got }
            if errno != EINTR {
                throw KaldiIOError.malformed(path: path, key: nil, offset: fileOffset, reason: "read error: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The next byte without consuming it, or nil at end of file.
    public func peekByte() throws -> UInt8? {
        try fill() ? buffer[start] : nil
    }

    /// The next byte, or nil at end of file.
    public func readByte() throws -> UInt8? {
        guard try fill() else { return nil }
        defer { start += 1 }
        return buffer[start]
    }

    /// Exactly `count` bytes.
    /// - Throws: `KaldiIOError.truncated` if the file ends first.
    public func readBytes(_ count: Int, key: String? = nil) throws -> [UInt8] {
        if let fileSize, count > fileSize - offset {
            let start = offset
            try seek(to: fileSize)   // as if read to the end, like a short read
            throw KaldiIOError.truncated(path: path, key: key, offset: start)
        }
        var out = [UInt8]()
        out.reserveCapacity(min(count, 1 << 24))
        while out.count < count {
            guard try fill() else { throw KaldiIOError.truncated(path: path, key: key, offset: offset) }
            let take = min(count - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + take)])
            start += take
        }
        return out
    }

    /// The rest of the file from the current offset. What a regular file still holds is read
    /// straight into the array, not through the buffer (a model file is megabytes); whatever
    /// follows (a pipe, a file that grew) comes through the buffer.
    /// - Throws: `KaldiIOError.malformed` on a read error.
    public func readToEnd() throws -> [UInt8] {
        var out = Array(buffer[start..<end])
        start = end
        if let fileSize, !reachedEOF, fileSize > bufferFileOffset + end {
            let origin = bufferFileOffset + end
            let direct = try [UInt8](unsafeUninitializedCapacity: fileSize - origin) { bytes, filled in
                while filled < bytes.count {
                    let got = try readSome(into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(bytes)[filled...]), at: origin + filled)
                    if got == 0 { break }
                    filled += got
                }
            }
            bufferFileOffset = origin + direct.count
            (start, end) = (0, 0)
            if out.isEmpty { out = direct } else { out += direct }
        }
        while try fill() {
            out.append(contentsOf: buffer[start..<end])
            start = end
        }
        return out
    }

    /// Reads `count` little-endian values of a fixed-width type directly into an array.
    public func readArray<T: FixedWidthInteger>(_: T.Type, count: Int, key: String? = nil) throws -> [T] {
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard count >= 0, !overflow else {
            throw KaldiIOError.malformed(path: path, key: key, offset: offset, reason: "implausible element count \(count)")
        }
        let bytes = try readBytes(byteCount, key: key)
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    out[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
                }
            }
            initialized = count
        }
    }

    /// Reads `count` little-endian IEEE floats.
    public func readFloats(count: Int, key: String? = nil) throws -> [Float] {
        try readArray(UInt32.self, count: count, key: key).map { Float(bitPattern: $0) }
    }

    /// Reads `count` little-endian IEEE doubles.
    public func readDoubles(count: Int, key: String? = nil) throws -> [Double] {
        try readArray(UInt64.self, count: count, key: key).map { Double(bitPattern: $0) }
    }

    /// Skips spaces, tabs and newlines.
    public func skipWhitespace() throws {
        while let b = try peekByte(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { start += 1 }
    }

    /// Reads bytes up to (not including) the next space, tab or newline, or end of file.
    public func readToken() throws -> String {
        var bytes = [UInt8]()
        while let b = try peekByte(), b != 0x20, b != 0x09, b != 0x0A, b != 0x0D {
            bytes.append(b)
            start += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the rest of the current line (without the newline) and consumes the newline.
    public func readLine() throws -> String? {
        var bytes = [UInt8]()
        guard try peekByte() != nil else { return nil }
        while let b = try readByte() {
            if b == 0x0A { break }
            bytes.append(b)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
