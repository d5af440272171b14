import Core
import Foundation

/// A set of outputs written together: everything goes into `TARGET/.partial-PID/` and is renamed
/// into `TARGET` only once all of it is written, so a full disk, a failure or an interruption
/// midway leaves the previous outputs of `TARGET` as they were. Renames stay on one filesystem
/// and need no space.
public struct StagingDirectory {
    /// Where the outputs are written meanwhile.
    public let path: String
    /// Where they end up.
    public let target: String

    /// Creates `target` if needed and a fresh staging directory inside it; staging directories
    /// left there by killed runs are removed.
    public init(for target: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: target).standardizedFileURL.path
        do { try fm.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
            throw KaldiIOError.cannotWrite(path: target, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        for name in (try? fm.contentsOfDirectory(atPath: target)) ?? [] where name.hasPrefix(".partial-") {
            try? fm.removeItem(atPath: (target as NSString).appendingPathComponent(name))
        }
        self.target = target
        path = (target as NSString).appendingPathComponent(".partial-\(getpid())")
        do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw KaldiIOError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// Stages `failed.txt`, one `UTT reason` line per failure (a reason's line breaks folded, so a
    /// failing command's messages stay on their line), or, when nothing failed, removes the
    /// target's old one.
    public func writeFailureList(_ failures: [(utterance: String, reason: String)]) throws {
        if failures.isEmpty {
            try? FileManager.default.removeItem(atPath: (target as NSString).appendingPathComponent("failed.txt"))
        } else {
            let lines = failures.map { "\($0.utterance) \($0.reason.split(whereSeparator: \.isNewline).joined(separator: " "))\n" }
            try AtomicFile.write(lines.joined(), to: (path as NSString).appendingPathComponent("failed.txt"))
        }
    }

    /// The location of an archive entry written here, as it will be after `commit`.
    public func final(_ location: ArchiveLocation) -> ArchiveLocation { location.moved(from: path, to: target) }

    /// Moves every staged file into the target (subdirectories merged file by file), the files
    /// named in `last` after all others, then removes the staging directory.
    public func commit(last: [String] = []) throws {
        try move(from: path, to: target, last: last)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes the staging directory and what is in it.
    public func discard() { try? FileManager.default.removeItem(atPath: path) }

    private func move(from source: String, to destination: String, last: [String]) throws {
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: source)
        for name in names.filter({ !last.contains($0) }).sorted() + last.filter(names.contains) {
            let from = (source as NSString).appendingPathComponent(name), to = (destination as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: from, isDirectory: &isDirectory), isDirectory.boolValue {
                try? fm.createDirectory(atPath: to, withIntermediateDirectories: true)
                try move(from: from, to: to, last: [])
            } else if rename(from, to) != 0 {
                throw KaldiIOError.cannotWrite(path: to, reason: String(cString: strerror(errno)))
            }
        }
    }
}
