import Core
import Foundation
import KaldiIO

/// Paths and helpers shared by Parrot's test targets.
public enum TestSupport {
    /// The package root (found from this file's location).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folders that may hold the real corpora, in the order they are looked in:
    /// `$PARROT_CORPORA` alone when it is set, else `../shared/corpora` beside the package root,
    /// then `corpora/` inside it (where `./setup.sh --corpora` downloads them).
    ///
    /// The recipes look in the same places (`recipes/common/corpora.sh`, which also takes
    /// `--corpora DIR`); keep the two in step.
    public static func corporaCandidates(environment: [String: String], packageRoot: URL) -> [URL] {
        if let explicit = environment["PARROT_CORPORA"], !explicit.isEmpty {
            return [URL(fileURLWithPath: explicit, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL]
        }
        return [packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora").standardizedFileURL,
                packageRoot.appendingPathComponent("corpora").standardizedFileURL]
    }

    /// The first of `corporaCandidates` that is a folder, or `nil`.
    public static func findCorpora(environment: [String: String], packageRoot: URL) -> URL? {
        corporaCandidates(environment: environment, packageRoot: packageRoot).first { isDirectory($0.path) }
    }

    /// The corpora folder this test run reads (see `corporaCandidates`), or where it was first
    /// looked for when there is none, so paths built from it name a folder worth creating.
    public static let corporaDirectory: URL = {
        let environment = ProcessInfo.processInfo.environment
        return findCorpora(environment: environment, packageRoot: packageRoot)
            ?? corporaCandidates(environment: environment, packageRoot: packageRoot)[0]
    }()

    /// Where the corpora folder was looked for, for messages: `$PARROT_CORPORA (DIR)`, or the
    /// two default folders in order.
    public static var corporaSearch: String {
        let environment = ProcessInfo.processInfo.environment
        let candidates = corporaCandidates(environment: environment, packageRoot: packageRoot).map(\.path)
        if environment["PARROT_CORPORA", default: ""].isEmpty {
            return "corpora looked for in \(candidates.joined(separator: ", then "))"
        }
        return "corpora from PARROT_CORPORA=\(candidates[0])"
    }

    /// The reference features of real recordings (`golden/`), beside the corpora folder as in
    /// the shared folder's layout (`shared/corpora`, `shared/golden`).
    public static var goldenDirectory: URL {
        corporaDirectory.deletingLastPathComponent().appendingPathComponent("golden")
    }

    /// `golden/NAME` (see `goldenDirectory`).
    public static func golden(_ name: String) -> String { goldenDirectory.appendingPathComponent(name).path }
    /// `PATH` inside the corpora folder, e.g. `corpus("yesno/waves_yesno")`.
    public static func corpus(_ path: String) -> String { corporaDirectory.appendingPathComponent(path).path }

    /// Whether `path` is a folder (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// A new empty temporary directory, inside one directory per test process that is removed
    /// when the process exits (set `PARROT_KEEP_TEST_FILES=1` to keep it for a post-mortem).
    public static func temporaryDirectory(_ label: String = "parrot-test") throws -> String {
        let url = URL(fileURLWithPath: scratchRoot).appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private static let scratchRoot: String = {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("parrot-tests-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        removeAtExit = root
        atexit {
            guard ProcessInfo.processInfo.environment["PARROT_KEEP_TEST_FILES"] == nil,
                  let root = TestSupport.removeAtExit else { return }
            try? FileManager.default.removeItem(atPath: root)
        }
        return root
    }()
    nonisolated(unsafe) private static var removeAtExit: String?

    /// Writes text to a file.
    public static func write(_ text: String, to path: String) throws {
        // Not String.write(atomically:), which leaves a TemporaryDirectory.* behind in /tmp on Linux.
        try AtomicFile.write(text, to: path)
    }

    /// Result of running a program.
    public struct ProcessResult {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable` with `arguments`, waiting for it to finish.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String]? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = Pipe()
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outData, as: UTF8.self),
                             standardError: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a Python 3 script; throws with its error output if it fails.
    /// Interop tests need `kaldiio` and `praatio` (installed by ./setup.sh).
    public static func python(_ script: String) throws -> String {
        let result = try run("/usr/bin/env", ["python3", "-c", script])
        guard result.status == 0 else {
            throw TestFailure("python3 failed (status \(result.status)); interop tests need kaldiio: run ./setup.sh or 'pip install kaldiio'.\n\(result.standardError)")
        }
        return result.standardOutput
    }

    /// The built `parrot` binary: `$PARROT_BINARY`, or the one beside the test bundle.
    public static var parrotBinary: String {
        ProcessInfo.processInfo.environment["PARROT_BINARY"] ?? builtBinary("parrot")
    }

    /// A binary of this package (`parrot`, `parrot-corpus`) from the build the tests run in.
    public static func builtBinary(_ name: String) -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name),
            packageRoot.appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }

    /// Reads a Kaldi text archive of float matrices (as the golden files are) into key → matrix.
    public static func readTextMatrices(_ path: String) throws -> [String: Matrix] {
        var out = [String: Matrix]()
        for entry in try KaldiArchiveReader.readAll(path: path) {
            guard case let .floatMatrix(m) = entry.object else { throw TestFailure("\(path): \(entry.key) is not a matrix") }
            out[entry.key] = m
        }
        return out
    }

    /// Largest absolute difference between two equally shaped matrices.
    public static func maxAbsoluteDifference(_ a: Matrix, _ b: Matrix) -> Float {
        precondition(a.rows == b.rows && a.columns == b.columns, "shapes differ: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        return zip(a.values, b.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}

/// An error thrown by test helpers, with a readable message.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
