#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a shell command (a `wav.scp` entry ending in `|`) and collects its standard output.
///
/// The command runs in its own process group under `/bin/sh -c`, so a timeout kills it and every
/// child it started (e.g. `sox … | …`), and its standard error is kept for the error message.
public enum PipeCommand {
    /// Output of a finished command.
    public struct Result: Sendable {
        public var standardOutput: [UInt8]
        public var standardError: String
        public var exitStatus: Int32
    }

    /// Runs `command` and returns its standard output.
    /// - Parameters:
    ///   - command: shell command line.
    ///   - timeoutSeconds: the command is killed after this long.
    /// - Throws: `CorpusError.commandFailed` (non-zero exit or killed by a signal),
    ///   `.commandTimedOut`, `.commandNotStarted`.
    public static func output(of command: String, timeoutSeconds: Double) throws -> [UInt8] {
        let result = try run(command, timeoutSeconds: timeoutSeconds)
        guard result.exitStatus == 0 else {
            throw CorpusError.commandFailed(command: command, status: result.exitStatus, stderr: result.standardError)
        }
        return result.standardOutput
    }

    /// Runs `command`, returning output and exit status (a signal `s` gives status `128 + s`).
    public static func run(_ command: String, timeoutSeconds: Double) throws -> Result {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw CorpusError.commandNotStarted(command: command, reason: String(cString: strerror(errno))) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw CorpusError.commandNotStarted(command: command, reason: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        guard spawned == 0 else {
            throw CorpusError.commandNotStarted(command: command, reason: String(cString: strerror(spawned)))
        }

        var stdout = [UInt8]()
        var stderr = [UInt8]()
        var open = [true, true]
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var timedOut = false
        while open[0] || open[1] {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { timedOut = true; break }
            var fds = [pollfd(fd: open[0] ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: open[1] ? errPipe[0] : -1, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Int32(min(remaining * 1000, 1000)))
            if ready < 0 && errno != EINTR { break }
            for i in 0..<2 where open[i] && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    open[i] = false
                } else if i == 0 {
                    stdout.append(contentsOf: buffer[0..<n])
                } else if stderr.count < 4096 {
                    stderr.append(contentsOf: buffer[0..<min(n, 4096 - stderr.count)])
                }
            }
        }
        if timedOut {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw CorpusError.commandTimedOut(command: command, seconds: timeoutSeconds)
        }
        var status: Int32 = 0
        // Output is closed; the command may still be running (it closed its stdout early).
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { break }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw CorpusError.commandTimedOut(command: command, seconds: timeoutSeconds)
            }
            usleep(2_000)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let message = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Result(standardOutput: stdout, standardError: message, exitStatus: exitStatus)
    }
}
