import Audio
import Core
import Foundation
import KaldiIO

/// Outcome of a feature-extraction run.
public struct FeatureJobReport: Sendable {
    /// Utterances attempted (with audio, or named in `text` without audio), speed-perturbed
    /// copies included.
    public var total: Int
    /// Utterances whose features were written.
    public var succeeded: Int
    /// Failed utterances and why, C-locale sorted by utterance (one line for all copies of one).
    public var failures: [(utterance: String, reason: String)]
    /// Frames written in all.
    public var frames: Int
    /// Seconds of audio processed.
    public var audioSeconds: Double
}

/// Computes features for every utterance of a data directory and writes a new data directory:
/// `feats.scp` with `feats.N.ark` archives (one per worker), `cmvn.scp`/`cmvn.ark`, `feats.json`
/// (the settings), and copies of the data tables restricted to the utterances that succeeded.
///
/// A bad utterance is reported and skipped; every archive and table is written under a temporary
/// name and renamed when complete.
public final class FeatureExtractionJob {
    /// The data directory. Its transcripts are let go while the workers run (`run` reads `text`
    /// again to copy it), so they do not add to the memory the audio buffers take.
    public private(set) var data: DataDirectory
    public let outputDirectory: String
    public let options: FeatureJobOptions

    /// Called after each utterance with (finished, total); from worker threads, one call at a time.
    public var progress: ((Int, Int) -> Void)?
    /// Recordings at least this long (seconds, by their header), used whole and not augmented, are
    /// read, resampled and analysed a block at a time: memory holds their features, not their samples.
    public var longRecordingSeconds = 600.0

    public init(data: DataDirectory, outputDirectory: String, options: FeatureJobOptions) {
        self.data = data
        self.outputDirectory = outputDirectory
        self.options = options
    }

    /// Runs the job: the archives, `cmvn.scp`, the tables, `feats.json`, `failed.txt` (utterances
    /// that failed, and why) and, last, `feats.scp`.
    /// - Throws: only for problems that stop the whole run (bad options, unwritable output directory).
    ///   Per-utterance problems are in the report.
    public func run() throws -> FeatureJobReport {
        try options.fbank.validate()
        var audioOptions = options.audio
        audioOptions.sampleRate = options.fbank.sampleRate
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let finalOutput = URL(fileURLWithPath: outputDirectory).standardizedFileURL.path
        // Everything is written into a staging directory and moved into place once all of it is
        // written, so a full disk or an interruption leaves the previous outputs as they were.
        let stage = try StagingDirectory(for: finalOutput)
        defer { stage.discard() }
        let absoluteOutput = stage.path

        let utterances = data.utteranceIDs
        var failures = [(utterance: String, reason: String)]()
        for (key, reason) in data.rejectedUtterances { failures.append((key, reason)) }
        let withoutAudio = data.utterancesWithoutAudio
        for key in withoutAudio {
            failures.append((key, "has a transcript in text but no audio in \(data.segments == nil ? "wav.scp" : "segments")"))
        }
        let hasTranscripts = data.transcripts != nil
        data.releaseTranscripts()
        FreedMemory.release()   // what reading the tables took

        let jobCount = WorkerPool.jobCount(options.jobs, items: utterances.count)
        let counter = ProgressCounter(total: utterances.count, progress)
        let begun = statisticsBegunBefore(utterances, jobs: jobCount)
        var results = try WorkerPool.parallel(parts: jobCount) { job in
            try runWorker(job: job, utterances: WorkerPool.share(utterances, part: job, of: jobCount), begun: begun[job],
                          audioOptions: audioOptions, outputDirectory: absoluteOutput) { counter.advance() }
        }

        var scpEntries = [(key: String, location: ArchiveLocation)]()
        scpEntries.reserveCapacity(results.reduce(0) { $0 + $1.entries.count })
        var statistics = StatisticsSums()
        var frames = 0
        var seconds = 0.0
        for index in results.indices {
            // Each worker's list is let go once taken, so the entries are held once.
            scpEntries += results[index].entries
            results[index].entries = []
            failures += results[index].failures
            frames += results[index].frames
            seconds += results[index].audioSeconds
            try statistics.add(results[index].statistics)
            results[index].statistics = StatisticsSums()
        }
        var archives = Set<String>()   // one copy of each archive's final path, shared by its entries
        for index in scpEntries.indices {
            var location = stage.final(scpEntries[index].location)
            location.path = archives.insert(location.path).memberAfterInsert
            scpEntries[index].location = location
        }
        scpEntries.sort { cLocaleLess($0.key, $1.key) }
        failures.sort { cLocaleLess($0.utterance, $1.utterance) }
        let succeeded = scpEntries.map(\.key)
        FreedMemory.release()   // the workers' buffers

        try writeCMVN(statistics: statistics.sums, outputDirectory: absoluteOutput, finalDirectory: finalOutput)
        try writeTables(keeping: succeeded, copyingText: hasTranscripts, outputDirectory: absoluteOutput, finalDirectory: finalOutput)
        var settings = options
        settings.audio = audioOptions
        try JSONFile.write(settings, to: (absoluteOutput as NSString).appendingPathComponent("feats.json"), pretty: true)
        try stage.writeFailureList(failures)
        try ScriptFile.write(scpEntries, to: (absoluteOutput as NSString).appendingPathComponent("feats.scp"))
        try stage.commit(last: ["feats.scp"])
        let copies = options.copiesPerUtterance
        return FeatureJobReport(total: copies * (utterances.count + withoutAudio.count + data.rejectedUtterances.count),
                                succeeded: scpEntries.count, failures: failures, frames: frames, audioSeconds: seconds)
    }

    private struct WorkerResult {
        var entries: [(key: String, location: ArchiveLocation)] = []
        var failures: [(utterance: String, reason: String)] = []
        var statistics = StatisticsSums()
        var frames = 0
        var audioSeconds = 0.0
    }

    private func runWorker(job: Int, utterances: ArraySlice<String>, begun: Set<String>, audioOptions: AudioLoadingOptions,
                           outputDirectory: String, finishedOne: () -> Void) throws -> WorkerResult {
        var result = WorkerResult()
        let fbank = try FbankComputer(options: options.fbank)
        let loader = RecordingLoader(options: audioOptions)
        let resampler = Resampler()
        let archive = try KaldiArchiveWriter(path: (outputDirectory as NSString).appendingPathComponent("feats.\(job + 1).ark"))
        archive.reserveCapacity(utterances.count * options.copiesPerUtterance)
        for id in utterances {
            defer { finishedOne() }
            guard let utterance = data.utterance(id) else {
                let recording = data.segments?[id]?.recording ?? id
                result.failures.append((id, data.rejectedKeys[recording] ?? "recording '\(recording)' has no usable wav.scp entry"))
                continue
            }
            do {
                // A whole recording file is opened once: streamed into features when it is long,
                // read whole otherwise. Commands and segments go through the loader.
                let original: Waveform
                if case let .file(path) = utterance.source, utterance.segment == nil {
                    let stream = try SoundFileStream(path: path, channel: audioOptions.channel)
                    if streams(stream) {
                        let (features, seconds) = try streamedFeatures(stream, targetRate: audioOptions.sampleRate, fbank: fbank, resampler: resampler)
                        let location = try archive.write(key: id, .floatMatrix(features))
                        accumulate(features, of: id, at: location, begun: begun, into: &result.statistics)
                        result.frames += features.rows
                        result.audioSeconds += seconds
                        continue
                    }
                    original = try resampler.resample(stream.readAll(), to: audioOptions.sampleRate, path: path)
                } else {
                    original = try loader.waveform(of: utterance)
                }
                for version in options.versions(of: id) {
                    let key = version.key(of: id)
                    // Played `speed` times faster: the samples taken as recorded at rate × speed.
                    var waveform = version.speed == 1 ? original
                        : try resampler.resample(Waveform(samples: original.samples, sampleRate: Int((Double(original.sampleRate) * version.speed).rounded())),
                                                 to: original.sampleRate, path: utterance.source.description)
                    if let snr = version.noiseSNR { FeatureExtractionJob.addNoise(to: &waveform.samples, snr: snr, seed: id) }
                    if let time = version.reverbTime {
                        waveform.samples = ChannelSimulation.reverberate(waveform.samples, sampleRate: waveform.sampleRate, rt60: time,
                                                                         seed: FeatureExtractionJob.seed(of: id))
                    }
                    if version.telephone {
                        waveform.samples = try ChannelSimulation.telephone(waveform.samples, sampleRate: waveform.sampleRate, resampler: resampler,
                                                                           path: utterance.source.description)
                    }
                    let features = fbank.compute(waveform.samples)
                    guard features.rows > 0 else {
                        throw AudioError.tooShortForOneFrame(path: utterance.source.description, samples: waveform.samples.count,
                                                             frameLength: options.fbank.frameLengthSamples)
                    }
                    guard features.isFinite else {
                        throw AudioError.nonFiniteSamples(path: utterance.source.description, count: 0)
                    }
                    let location = try archive.write(key: key, .floatMatrix(features))
                    accumulate(features, of: key, at: location, begun: begun, into: &result.statistics)
                    result.frames += features.rows
                    result.audioSeconds += waveform.durationSeconds
                }
            } catch let error as KaldiIOError {
                throw error  // cannot write the archive: stop the run
            } catch {
                result.failures.append((id, "\(error)"))
            }
        }
        try archive.commit()
        result.entries = archive.entries   // the written utterances, in the order written
        return result
    }

    /// Whether a whole-recording file is long enough (by its header) to be analysed as it streams,
    /// and wanted only as it is (augmented copies need the whole waveform; snip-edges framing).
    private func streams(_ stream: SoundFileStream) -> Bool {
        options.versions.count == 1 && options.fbank.snipEdges && Double(stream.declaredFrames) >= longRecordingSeconds * Double(stream.sampleRate)
    }

    /// The features of a long recording computed as it streams from its file, and its seconds.
    private func streamedFeatures(_ stream: SoundFileStream, targetRate: Int, fbank: FbankComputer, resampler: Resampler) throws -> (Matrix, Double) {
        let path = stream.path
        let converter = try resampler.stream(from: stream.sampleRate, to: targetRate, path: path)
        let expected = fbank.frameCount(sampleCount: Int(Double(stream.declaredFrames) * Double(targetRate) / Double(stream.sampleRate)))
        let features = try FbankStream(computer: fbank, expectedFrames: expected)
        while true {
            let block = try stream.read()
            if block.isEmpty { break }
            features.append(try converter.process(block))
        }
        features.append(try converter.finish())
        let matrix = features.finish()
        guard matrix.rows > 0 else { throw AudioError.tooShortForOneFrame(path: path, samples: stream.framesRead, frameLength: options.fbank.frameLengthSamples) }
        guard matrix.isFinite else { throw AudioError.nonFiniteSamples(path: path, count: 0) }
        return (matrix, Double(stream.framesRead) / Double(stream.sampleRate))
    }

    /// CMVN statistics summed per speaker (or per utterance) as workers meet the utterances, so
    /// memory holds a sum per speaker, not statistics per utterance. The sums come out as one
    /// worker adding the utterances in C-locale order would make them: a worker keeps, for a
    /// speaker whose sum began in an earlier worker's share (`statisticsBegunBefore`), where each
    /// of its utterances' features were written; the merge reads them back and adds their
    /// statistics one by one after the earlier workers' sum.
    struct StatisticsSums {
        var sums: [String: CMVNStatistics] = [:]
        /// Per key whose sum began in an earlier share: its utterances here and where their features
        /// are, to be added at the merge.
        var deferred: [String: [(key: String, location: ArchiveLocation)]] = [:]

        mutating func add(_ statistics: CMVNStatistics, to key: String) {
            if sums[key] == nil { sums[key] = statistics } else { sums[key]!.add(statistics) }
        }

        /// Adds the next worker's sums after this one's.
        /// - Throws: `KaldiIOError` if a deferred utterance's features cannot be read back.
        mutating func add(_ next: StatisticsSums) throws {
            for (key, utterances) in next.deferred {
                for utterance in utterances {
                    guard let features = try ScriptFile.read(at: utterance.location, key: utterance.key).asFloatMatrix else {
                        throw KaldiIOError.malformed(path: utterance.location.path, key: utterance.key, offset: utterance.location.offset ?? 0,
                                                     reason: "not the float matrix just written")
                    }
                    add(CMVNStatistics(features: features), to: key)
                }
            }
            for (key, sum) in next.sums { add(sum, to: key) }
        }
    }

    /// Adds an utterance's features to its speaker's (or its own) CMVN statistics, or, if that
    /// sum began in an earlier worker's share (`begun`), notes where the features are for the merge.
    private func accumulate(_ features: Matrix, of utterance: String, at location: ArchiveLocation, begun: Set<String>,
                            into statistics: inout StatisticsSums) {
        guard options.cmvn != .none else { return }
        let key = statisticsKey(of: utterance)
        if begun.contains(key) {
            statistics.deferred[key, default: []].append((utterance, location))
        } else {
            statistics.add(CMVNStatistics(features: features), to: key)
        }
    }

    private func writeCMVN(statistics: [String: CMVNStatistics], outputDirectory: String, finalDirectory: String) throws {
        guard options.cmvn != .none else {
            try? FileManager.default.removeItem(atPath: (finalDirectory as NSString).appendingPathComponent("cmvn.scp"))
            return
        }
        try CMVNTable.write(statistics, directory: outputDirectory, finalDirectory: finalDirectory)
    }

    /// Copies the data tables, restricted to `keeping` (C-locale sorted), unless writing into the
    /// source directory; `text` (read again here) when `copyingText`. The tables are written a line at a time.
    private func writeTables(keeping: [String], copyingText: Bool, outputDirectory: String, finalDirectory: String) throws {
        let source = URL(fileURLWithPath: data.path).standardizedFileURL.path
        guard source != finalDirectory else { return }
        func out(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }
        if copyingText {
            let transcripts = try TableFile.packed(path: data.file("text"))
            try TableFile.writeInOrder(keeping.lazy.compactMap { [self] key in
                transcripts[perturbing ? FeatureJobOptions.unperturbedKey(key).key : key].map { (key: key, value: $0) }
            }, to: out("text"))
        }
        try TableFile.writeInOrder(keeping.lazy.map { [self] in (key: $0, value: speaker(of: $0)) }, to: out("utt2spk"))
        try TableFile.writeSpeakerIndex(utteranceToSpeaker: keeping.lazy.map { [self] in ($0, speaker(of: $0)) }, to: out("spk2utt"))
        if let segments = data.segments {
            let kept = keeping.compactMap { key in segments[key].map { (key: key, segment: $0) } }
            try TableFile.writeInOrder(kept.lazy.map { (key: $0.key, value: "\($0.segment.recording) \($0.segment.startSeconds) \($0.segment.endSeconds)") },
                                       to: out("segments"))
            let recordings = Set(kept.map(\.segment.recording))
            try TableFile.writeInOrder(data.recordings.lazy.filter { recordings.contains($0.key) }.map { (key: $0.key, value: $0.value.description) },
                                       to: out("wav.scp"))
        } else {
            try TableFile.writeInOrder(keeping.lazy.compactMap { [data] key in data.recordings[key].map { (key: key, value: $0.description) } }, to: out("wav.scp"))
        }
    }

    private var perturbing: Bool { options.versions.count > 1 }

    /// The CMVN statistics an utterance's features add to: its speaker's, or its own.
    private func statisticsKey(of utterance: String) -> String {
        options.cmvn == .speaker ? speaker(of: utterance) : utterance
    }

    /// For each worker, the statistics keys that also occur in earlier workers' shares: with
    /// speakers' utterances adjacent in C-locale order, the kinds of copy of the speaker its share
    /// starts in. Per-utterance statistics never span shares.
    private func statisticsBegunBefore(_ utterances: [String], jobs: Int) -> [Set<String>] {
        guard options.cmvn == .speaker else { return Array(repeating: [], count: jobs) }
        var earlier = Set<String>()
        return (0..<jobs).map { job in
            var keys = Set<String>()
            for id in WorkerPool.share(utterances, part: job, of: jobs) {
                for version in options.versions(of: id) { keys.insert(statisticsKey(of: version.key(of: id))) }
            }
            defer { earlier.formUnion(keys) }
            return keys.intersection(earlier)
        }
    }

    /// Speaker of an utterance key; a copy's speaker carries the copy's prefix.
    private func speaker(of key: String) -> String {
        guard perturbing else { return data.speaker(of: key) }
        let original = FeatureJobOptions.unperturbedKey(key).key
        guard original != key else { return data.speaker(of: key) }
        let prefix = key.prefix(key.count - original.count)
        return prefix + data.speaker(of: original)
    }

    /// A seed from an utterance ID (FNV-1a), so its augmented copies repeat exactly.
    public static func seed(of id: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// Adds white Gaussian noise `snr` dB below the signal's RMS, seeded by `seed`.
    public static func addNoise(to samples: inout [Float], snr: Double, seed: String) {
        guard !samples.isEmpty else { return }
        let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
        let level = rms / pow(10, snr / 20)
        var random = SeededGenerator(seed: Self.seed(of: seed))
        for i in samples.indices { samples[i] += Float(level * random.gaussian()) }
    }
}
