import CLibFuzzer
import Foundation

/// Parrot's parsers read files, so each fuzz input is written to a scratch file (in /dev/shm when
/// it exists) that is reused for every run of the process; fuzz/run.sh removes it afterwards.
public enum FuzzInput {
    private static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/parrot-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The bytes of one libFuzzer input.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let data, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: count))
    }

    /// Writes `bytes` to the scratch file `name` and returns its path.
    @discardableResult
    public static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = "\(directory)/\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// A scratch directory holding one file per part of `bytes`, split at `separator` lines
    /// ("\n--\n" by default) and named `names` in order; missing parts are left out.
    public static func directory(_ bytes: [UInt8], names: [String]) -> String {
        let path = "\(directory)/dir"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let separator = Array("\n--\n".utf8)
        var parts = [[UInt8]]()
        var current = [UInt8]()
        var index = 0
        while index < bytes.count {
            if index + separator.count <= bytes.count, Array(bytes[index..<index + separator.count]) == separator {
                parts.append(current)
                current = []
                index += separator.count
            } else {
                current.append(bytes[index])
                index += 1
            }
        }
        parts.append(current)
        for (name, part) in zip(names, parts) {
            _ = FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data(part))
        }
        return path
    }
}

/// The test function of this process, called by libFuzzer for every input.
private var currentTest: ((UnsafePointer<UInt8>?, Int) -> CInt)?

/// libFuzzer's per-input callback. Defined here (the runtime refers to it) and handed to the
/// driver explicitly, because each target's own main starts libFuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    currentTest?(data, count) ?? 0
}

/// Runs libFuzzer with this process's arguments on `test`, which gets each input's bytes.
public func runFuzzer(_ test: @escaping (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    currentTest = test
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzzerTestOneInput(data, count) })
}
