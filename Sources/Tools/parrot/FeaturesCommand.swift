import ArgumentParser
import Audio
import Core
import Corpus
import Foundation
import KaldiIO

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Compute Kaldi-compatible log-Mel filterbank features for a data directory.",
        discussion: """
        Reads DATA_DIR (wav.scp, optional segments, text, utt2spk) and writes OUT_DIR as a data \
        directory: feats.scp with archives feats.N.ark (one per job), cmvn.scp/cmvn.ark \
        (statistics, applied by later stages), feats.json (the settings), and the data tables \
        restricted to the utterances that succeeded. OUT_DIR may equal DATA_DIR.

        Numerically Kaldi's compute-fbank-feats with --dither=0: 25 ms Povey windows every 10 ms, \
        DC removal, pre-emphasis 0.97, power spectrum, Mel filters from 20 Hz to Nyquist, natural log.

        A bad utterance (unreadable or empty audio, NaN samples, a failing command, a duplicate \
        key, a transcript without audio) is reported and skipped; the others are written. Failures \
        are listed in OUT_DIR/failed.txt. Exit status 1 if any utterance failed.

        e.g.: parrot features data/train exp/feats/train --nj 2
        """
    )

    @Argument(help: "Kaldi data directory to read, or a corpus folder (its Kaldi data directory is written to OUT_DIR/data).")
    var dataDir: String

    @Argument(help: "Directory to write features and tables to.")
    var outDir: String

    @Option(name: .customLong("nj"), help: "Number of parallel worker threads (each writes its own archive).")
    var jobs: Int = 1

    @Option(help: "CMVN statistics to write: speaker (per utt2spk speaker), utterance, or none.")
    var cmvn: String = "speaker"

    @OptionGroup(title: "Filterbank") var fbank: FbankArguments
    @OptionGroup(title: "Audio") var audio: AudioArguments
    @OptionGroup(title: "Augmentation") var augmentation: AugmentationArguments
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
        guard CMVNMode(rawValue: cmvn) != nil else { throw ValidationError("--cmvn must be speaker, utterance or none") }
    }

    func run() throws {
        try exitStatus(of: "features") {
            FreedMemory.useOneArena()   // before the workers start
            let resolved = try corpus.resolve(dataDir, workDirectory: (outDir as NSString).appendingPathComponent("data"), command: "features")
            var options = FeatureJobOptions()
            options.fbank = try fbank.options()
            audio.apply(to: &options.audio)
            options.speedFactors = try augmentation.speedFactors()
            options.noiseSNRs = try augmentation.noiseSNRs()
            options.reverbTimes = try augmentation.reverbTimes()
            options.telephone = augmentation.telephone ? true : nil
            options.oneCopyEach = augmentation.oneCopyEach ? true : nil
            options.jobs = jobs
            options.cmvn = CMVNMode(rawValue: cmvn)!

            // The job holds the only copy of the tables, so it can let go of what it does not need.
            let job = FeatureExtractionJob(data: try warnedData(resolved.path), outputDirectory: outDir, options: options)
            let progress = ProgressLine("features")
            job.progress = { progress.update($0, $1) }
            let started = Date()
            let report: FeatureJobReport
            do { report = try job.run() } catch {
                progress.finish()
                throw error
            }
            progress.finish()
            for failure in report.failures {
                printError("parrot features: utterance '\(failure.utterance)': \(failure.reason)")
            }
            let failedPath = (outDir as NSString).appendingPathComponent("failed.txt")
            let elapsed = Date().timeIntervalSince(started)
            let speed = elapsed > 0 ? String(format: "%.0f× real time", report.audioSeconds / elapsed) : ""
            var summary = "Done \(report.succeeded.grouped) of \(report.total.grouped) utterances (\(report.frames.grouped) frames, \(String(format: "%.1f", report.audioSeconds)) s of audio, \(speed))"
            if !report.failures.isEmpty {
                summary += "; \(report.failures.count.grouped) failed, see \(failedPath)"
            }
            print(summary + resolved.summaryNote)
            if !report.failures.isEmpty || resolved.folderErrors > 0 { throw ExitCode(1) }
        }
    }

    /// The data directory at `path`, its warnings printed.
    private func warnedData(_ path: String) throws -> DataDirectory {
        let data = try DataDirectory(path: path)
        for problem in data.problems where problem.severity == .warning {
            printError("parrot features: \(path)/\(problem)")
        }
        return data
    }
}
