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
    private var pending: [UInt8] = []
    /// Bytes held before they are handed to the kernel.
    private let bufferSize: Int
    /// Bytes written so far (committed to the kernel or pending).
    public private(set) var size = 0

    /// Creates `path.tmp-PID` for writing, handing the bytes to the kernel `bufferSize` at a time.
    /// - Throws: `FileError.cannotWrite`.
    public init(path: String, bufferSize: Int = 1 << 20) throws {
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
        pending.append(contentsOf: bytes)
        size += bytes.count
        if pending.count >= bufferSize { try flush() }
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    private func flush() throws {
        var written = 0
        while written < pending.count {
            let n = pending.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
        pending.removeAll(keepingCapacity: true)
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
