import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files under a temporary name and renames them into place, so an interrupted run never
/// leaves a truncated file under its final name.
public final class AtomicFile {
    /// The final path.
    public let path: String
    /// The temporary path written until `commit()`.
    public let temporaryPath: String
    private var descriptor: Int32
    /// Bytes not yet handed to the kernel: never more than `bufferSize`, so a file being written
    /// holds the same memory whether a run writes a megabyte or a gigabyte.
    private var pending: [UInt8] = []
    /// Bytes held before they are handed to the kernel; a larger write goes to it directly.
    private let bufferSize: Int
    /// Bytes written so far (committed to the kernel or pending).
    public private(set) var size = 0

    /// Creates `path.tmp-PID` for writing, handing the bytes to the kernel `bufferSize` at a time.
    /// `parrot align` writes five files at once (CTMs, CSV, JSON, `ali.ark`): with 1 MB buffers
    /// grown by doubling they held up to 10 MB once the outputs were long, so a 20-hour corpus
    /// needed more memory than a 2-hour one.
    /// - Throws: `FileError.cannotWrite`.
    public init(path: String, bufferSize: Int = 1 << 16) throws {
        self.path = path
        self.bufferSize = bufferSize
        self.temporaryPath = "\(path).tmp-\(getpid())"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes.
    public func write<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        size += bytes.count
        if pending.count + bytes.count > bufferSize { try flush() }
        if bytes.count >= bufferSize {
            // Large writes (feature matrices) go to the kernel without a copy.
            if try bytes.withContiguousStorageIfAvailable({ try writeAll(UnsafeRawBufferPointer($0)) }) == nil {
                try Array(bytes).withUnsafeBytes { try writeAll($0) }
            }
            return
        }
        if pending.capacity < bufferSize { pending.reserveCapacity(bufferSize) }
        pending.append(contentsOf: bytes)
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    private func flush() throws {
        try pending.withUnsafeBytes { try writeAll($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Hands `bytes` to the kernel, retrying partial and interrupted writes.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
    }

    /// Flushes, syncs and renames the file to its final name.
    public func commit() throws {
        try flush()
        if fsync(descriptor) != 0 {
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        descriptor = -1
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw FileError.cannotWrite(path: path, reason: reason)
        }
    }

    /// Makes `path` name the file `source` names (a hard link: no bytes copied), atomically: a
    /// previous `path` is replaced whole. Copies instead where the file system has no hard links.
    /// - Throws: `FileError.cannotWrite`.
    public static func link(_ source: String, to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        unlink(temporary)
        guard Glibc.link(source, temporary) == 0 else {
            guard let bytes = FileManager.default.contents(atPath: source) else {
                throw FileError.cannotWrite(path: path, reason: "cannot read \(source)")
            }
            let file = try AtomicFile(path: path)
            try file.write([UInt8](bytes))
            try file.commit()
            return
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError.cannotWrite(path: path, reason: reason)
        }
        unlink(temporary)   // still there when `path` already named the same file (rename does nothing then)
    }

    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(text)
        try file.commit()
    }
}
