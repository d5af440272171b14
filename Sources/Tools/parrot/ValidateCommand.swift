import ArgumentParser
import Corpus
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a data directory or a corpus folder and report every problem at once.",
        discussion: """
        Checks the tables (wav.scp, segments, text, utt2spk, spk2utt, feats.scp): malformed \
        lines, duplicate keys, C-locale sorting, byte-order marks and CRLF endings, utterances \
        without transcripts or audio, empty transcripts, speakers that disagree between utt2spk \
        and spk2utt. Then decodes every recording (unless --no-audio): missing, empty or \
        unreadable files, failing commands, NaN samples, unusual sample rates, several channels, \
        segments past the end of their recording.

        A corpus folder (MFA's layout) is checked as the data directory it maps to, and for what \
        only a folder can get wrong: a recording without a transcript or the reverse, an empty \
        .lab, TextGrids that are not TextGrids or whose intervals overlap or run past the \
        recording, two files that map to one utterance ID, sample rates that differ. Problems \
        name the file (relative to the folder) and the line of a TextGrid interval.

        Exit status 1 if any error was found (warnings alone exit 0).

        e.g.: parrot validate data/train --nj 2
        """
    )

    @Argument(help: "Kaldi data directory or corpus folder to check.")
    var dataDir: String

    @Flag(inversion: .prefixedNo, help: "Decode every recording to check its audio.")
    var audio = true

    @Option(help: "Sample rate in Hz the features will use (recordings at other rates are reported as resampled).")
    var sampleRate: Int = 16_000

    @Option(name: .customLong("nj"), help: "Number of parallel worker threads for the audio checks.")
    var jobs: Int = 1

    @Option(help: "Seconds after which a piped wav.scp command is killed.")
    var pipeTimeout: Double = 600

    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
    }

    func run() throws {
        try exitStatus(of: "validate") {
            var resolved = ResolvedData(path: dataDir, folder: nil)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("parrot-validate-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            if CorpusFolder.isCorpusFolder(dataDir) {
                let folder = try CorpusFolder(path: dataDir, options: corpus.options)
                for problem in folder.problems { print(problem) }
                try folder.writeDataDirectory(to: scratch)
                resolved = ResolvedData(path: scratch, folder: folder)
            }
            let data = try DataDirectory(path: resolved.path)
            var options = DataDirectoryValidator.Options()
            options.checkAudio = audio
            options.sampleRate = sampleRate
            options.jobs = jobs
            options.pipeTimeoutSeconds = pipeTimeout
            var validator = DataDirectoryValidator(options: options)
            let progress = ProgressLine("validate")
            validator.progress = { progress.update($0, $1) }
            let report = validator.validate(data)
            progress.finish()
            for problem in report.problems { print(resolved.located(problem)) }
            var summary = "\(dataDir): \(report.utteranceCount.grouped) utterances, \(report.recordingCount.grouped) recordings, \(report.speakerCount.grouped) speakers"
            if audio {
                summary += String(format: ", %.2f hours", report.audioSeconds / 3600)
                if !report.sampleRates.isEmpty {
                    summary += " at " + report.sampleRates.keys.sorted().map { "\($0) Hz" }.joined(separator: "/")
                }
            }
            let folderWarnings = (resolved.folder?.problems.count ?? 0) - resolved.folderErrors
            summary += "; \((report.errorCount + resolved.folderErrors).grouped) errors, \((report.warningCount + folderWarnings).grouped) warnings"
            print(summary)
            if report.errorCount + resolved.folderErrors > 0 { throw ExitCode(1) }
        }
    }
}
