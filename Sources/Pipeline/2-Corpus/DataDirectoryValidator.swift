import Audio
import Core
import Foundation

/// Checks a data directory the way MFA's validation report does, listing every problem at once:
/// table format problems, inconsistent tables, empty transcripts, and (unless skipped) every
/// recording's audio — missing or unreadable files, failing commands, NaN samples, odd sample
/// rates, several channels, segments past the end of their recording.
public struct DataDirectoryValidator {
    public struct Options: Sendable {
        /// Decode every recording. Default true.
        public var checkAudio = true
        /// Rate the features will be computed at; recordings at other rates get a note. Default 16,000.
        public var sampleRate = 16_000
        /// Worker threads for the audio checks. Default 1.
        public var jobs = 1
        /// Seconds before a piped command is killed. Default 600.
        public var pipeTimeoutSeconds: Double = 600
        public init() {}
    }

    /// What the validator found.
    public struct Report: Sendable {
        public var problems: [DataProblem]
        public var utteranceCount: Int
        public var recordingCount: Int
        public var speakerCount: Int
        /// Total audio in seconds (when audio was checked).
        public var audioSeconds: Double
        /// Recordings per sample rate (Hz).
        public var sampleRates: [Int: Int]
        public var errorCount: Int { problems.filter { $0.severity == .error }.count }
        public var warningCount: Int { problems.filter { $0.severity == .warning }.count }
    }

    public let options: Options
    /// Called after each recording's audio check with (finished, total).
    public var progress: ((Int, Int) -> Void)?

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Validates `data`.
    public func validate(_ data: DataDirectory) -> Report {
        var problems = data.problems
        let utterances = data.utteranceIDs
        let utteranceSet = Set(utterances)

        if data.recordings.isEmpty && data.features == nil {
            problems.append(DataProblem(.error, file: "wav.scp", "no usable recordings"))
        }
        if let transcripts = data.transcripts {
            for id in data.utterancesWithoutAudio {
                problems.append(DataProblem(.error, file: "text", key: id, "has a transcript but no audio"))
            }
            for id in utterances {
                guard let words = transcripts[id] else {
                    problems.append(DataProblem(.error, file: "text", key: id, "has audio but no transcript"))
                    continue
                }
                if words.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append(DataProblem(.error, file: "text", key: id, "empty transcript"))
                }
            }
        } else {
            problems.append(DataProblem(.warning, file: "text", "missing: features can be computed, but training and alignment need transcripts"))
        }
        if let utt2spk = data.utteranceToSpeaker {
            for id in utterances where utt2spk[id] == nil {
                problems.append(DataProblem(.error, file: "utt2spk", key: id, "utterance has no speaker"))
            }
            for id in utt2spk.keys.sorted() where !utteranceSet.contains(id) && data.rejectedKeys[id] == nil {
                problems.append(DataProblem(.warning, file: "utt2spk", key: id, "names an utterance that has no audio"))
            }
            if let spk2utt = data.speakerToUtterances {
                var expected = [String: Set<String>]()
                for (utt, spk) in utt2spk { expected[spk, default: []].insert(utt) }
                func listed(_ speaker: String) -> Set<String> {
                    Set((spk2utt[speaker] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
                }
                for speaker in Set(expected.keys).union(spk2utt.keys).sorted() where expected[speaker] != listed(speaker) {
                    problems.append(DataProblem(.error, file: "spk2utt", key: speaker, "does not agree with utt2spk (regenerate it from utt2spk)"))
                }
            } else {
                problems.append(DataProblem(.warning, file: "spk2utt", "missing (Parrot derives it from utt2spk)"))
            }
        } else {
            problems.append(DataProblem(.warning, file: "utt2spk", "missing: each utterance is treated as its own speaker"))
        }
        if let features = data.features {
            let featureKeys = Set(features.keys)
            for id in utterances where !featureKeys.contains(id) {
                problems.append(DataProblem(.warning, file: "feats.scp", key: id, "utterance has no features"))
            }
        }

        var audioSeconds = 0.0
        var sampleRates = [Int: Int]()
        if options.checkAudio {
            let audio = checkAudio(data)
            problems += audio.problems
            audioSeconds = audio.seconds
            sampleRates = audio.rates
        }
        let speakers = Set(utterances.map { data.speaker(of: $0) })
        return Report(problems: problems, utteranceCount: utterances.count, recordingCount: data.recordings.count,
                      speakerCount: speakers.count, audioSeconds: audioSeconds, sampleRates: sampleRates)
    }

    private func checkAudio(_ data: DataDirectory) -> (problems: [DataProblem], seconds: Double, rates: [Int: Int]) {
        let recordings = data.recordings.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        // Longest segment end per recording, to check segments fit.
        var segmentEnds = [String: (utterance: String, end: Double)]()
        for (utt, segment) in data.segments ?? [:] where segment.endSeconds > (segmentEnds[segment.recording]?.end ?? -1) {
            segmentEnds[segment.recording] = (utt, segment.endSeconds)
        }
        let checked = WorkerPool.map(recordings, jobs: options.jobs, state: { () }, progress: progress) { batch, _ in
            batch.map { check(recording: $0, source: data.recordings[$0], lastSegment: segmentEnds[$0]) }
        }
        var problems = [DataProblem]()
        var seconds = 0.0
        var rates = [Int: Int]()
        for result in checked {
            problems += result.problems
            seconds += result.seconds
            if result.rate > 0 { rates[result.rate, default: 0] += 1 }
        }
        if rates.count > 1 {
            let list = rates.keys.sorted().map { "\($0) Hz (\(rates[$0]!))" }.joined(separator: ", ")
            problems.append(DataProblem(.warning, file: "wav.scp", "mixed sample rates: \(list); all are resampled to \(options.sampleRate) Hz"))
        }
        problems.sort { ($0.key ?? "").utf8.lexicographicallyPrecedes(($1.key ?? "").utf8) }
        return (problems, seconds, rates)
    }

    /// One recording's problems, duration (seconds) and sample rate (0 when it cannot be read).
    private func check(recording: String, source: RecordingSource?, lastSegment: (utterance: String, end: Double)?) -> (problems: [DataProblem], seconds: Double, rate: Int) {
        guard let source else { return ([], 0, 0) }
        var found = [DataProblem]()
        do {
            let audio = try source.decode(pipeTimeoutSeconds: options.pipeTimeoutSeconds)
            let duration = Double(audio.frameCount) / Double(audio.sampleRate)
            if audio.channels > 1 {
                found.append(DataProblem(.warning, file: "wav.scp", key: recording, "\(audio.channels) channels (averaged unless --channel is given)"))
            }
            if audio.sampleRate < 8000 {
                found.append(DataProblem(.warning, file: "wav.scp", key: recording, "sample rate \(audio.sampleRate) Hz is unusually low for speech"))
            }
            let peak = audio.interleaved.reduce(Float(0)) { max($0, abs($1)) }
            if peak == 0 {
                found.append(DataProblem(.warning, file: "wav.scp", key: recording, "every sample is zero (digital silence)"))
            } else {
                let clipped = audio.interleaved.reduce(0) { $0 + (abs($1) >= 32767 ? 1 : 0) }
                if clipped * 1000 >= audio.interleaved.count {
                    found.append(DataProblem(.warning, file: "wav.scp", key: recording,
                                             String(format: "%.1f%% of samples are at full scale (clipped)", 100 * Double(clipped) / Double(audio.interleaved.count))))
                }
            }
            if let lastSegment, lastSegment.end > duration + 0.01 {
                found.append(DataProblem(.error, file: "segments", key: lastSegment.utterance, "ends at \(lastSegment.end) s, after the end of recording '\(recording)' (\(String(format: "%.3f", duration)) s)"))
            }
            return (found, duration, audio.sampleRate)
        } catch {
            return ([DataProblem(.error, file: "wav.scp", key: recording, "\(error)")], 0, 0)
        }
    }
}
