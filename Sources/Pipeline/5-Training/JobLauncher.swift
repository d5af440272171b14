import Corpus
import Foundation

/// Runs a step's jobs through a recipe launcher in Kaldi's call form, so a library stage can fan
/// out to other processes or machines: `COMMAND JOB=1:N LOG_FILE PROGRAM ARG ...`, where the
/// launcher replaces `JOB` in the log name and arguments by each job's number
/// (`recipes/common/local.sh`, `recipes/common/slurm.sh`, or Kaldi's run.pl/queue.pl/slurm.pl).
///
/// The jobs' files must be reachable from wherever they run: on a cluster, keep the model and
/// feature directories and the parrot binary on a shared filesystem, as with Kaldi.
public struct JobLauncher: Sendable {
    /// The launcher and its options, as one shell word list (e.g. `recipes/common/slurm.sh --mem 4G`).
    public var command: String
    /// The program the jobs run (by default this process' own executable).
    public var program: String

    public init(command: String, program: String = JobLauncher.currentExecutable) {
        self.command = command
        self.program = program
    }

    /// This process' executable, as an absolute path.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs jobs 1…`jobs` of `program arguments…` (JOB in `log` and `arguments` is each job's
    /// number) and waits for all of them.
    /// - Throws: `CorpusError.commandFailed` when the launcher reports a failed job (its message,
    ///   naming the failed jobs' logs, is on standard error).
    public func run(jobs: Int, log: String, arguments: [String]) throws {
        try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let line = "\(command) JOB=1:\(jobs) \(Self.quote(log)) " + ([program] + arguments).map(Self.quote).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CorpusError.commandFailed(command: line, status: process.terminationStatus, stderr: "see the job logs \(log.replacingOccurrences(of: "JOB", with: "*"))")
        }
    }

    /// `path` made absolute against the current directory, as job descriptions store paths
    /// (jobs may start elsewhere).
    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// One shell word.
    static func quote(_ word: String) -> String {
        word.allSatisfy({ $0.isLetter || $0.isNumber || "/._-=:,+@%".contains($0) }) && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
