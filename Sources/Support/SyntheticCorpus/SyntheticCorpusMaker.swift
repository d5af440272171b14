import Audio
import Core
import Foundation
import KaldiIO

/// Figures describing a generated corpus.
public struct SyntheticCorpusStatistics: Codable, Sendable {
    public struct SetStatistics: Codable, Sendable {
        public var utterances: Int
        public var hours: Double
        public var speakers: [String]
        public var words: Int
        public var vocabulary: Int
        public var lexiconEntries: Int
    }

    /// By set: `train`, `test` and (unless turned off) `test-flite`.
    public var sets: [String: SetStatistics]
    /// Reference phone segments per phone (the two eSpeak sets).
    public var phoneCounts: [String: Int]
    /// Phones merged away by the timing repairs, per phone (the two eSpeak sets).
    public var mergedPhones: [String: Int]
    /// Mean energy of silence segments relative to vowel segments, in dB (the two eSpeak sets).
    public var silenceToVowelEnergyDecibels: Double
    public var seed: UInt64
}

/// Makes the built-in corpus: `OUT/train` and `OUT/test` Kaldi data directories (`wav/`,
/// `wav.scp`, `text`, `utt2spk`, `spk2utt`, `lexicon.txt`, `phones.ctm`, `words.ctm`) spoken by
/// eSpeak NG, their union lexicon `OUT/lexicon.txt`, `OUT/test-flite` (the same files, spoken by
/// flite's voices; its lexicon is its own and not in `OUT/lexicon.txt`) and `OUT/stats.json`.
///
/// Synthesis runs in worker processes (eSpeak NG and flite are single-threaded): each takes a
/// contiguous share of the planned utterances and writes their WAV files and a records file; the
/// parent then writes the tables. The output does not depend on the number of workers.
public struct SyntheticCorpusMaker {
    public let options: SyntheticCorpusOptions
    public let outputDirectory: String

    public init(options: SyntheticCorpusOptions, outputDirectory: String) {
        self.options = options
        self.outputDirectory = URL(fileURLWithPath: outputDirectory).standardizedFileURL.path
    }

    private var workDirectory: String { outputDirectory + "/.work" }
    private func recordsPath(worker: Int) -> String { workDirectory + "/records.\(worker).json" }

    /// Makes the corpus with `jobs` worker processes running `executable` (this tool), then assembles it.
    /// - Parameter workerArguments: arguments that make `executable` run `runWorker` for a range (`from`, `to`, `worker` appended).
    public func make(jobs: Int, executable: String, workerArguments: [String]) throws -> SyntheticCorpusStatistics {
        let plan = try CorpusPlan(options: options)
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let count = plan.utterances.count
        let jobs = max(1, min(jobs, count))
        var processes = [(Process, Pipe)]()
        for worker in 0..<jobs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = workerArguments + ["--from", "\(count * worker / jobs)", "--to", "\(count * (worker + 1) / jobs)", "--worker", "\(worker)"]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            processes.append((process, errors))
        }
        var failure: Error?
        for (worker, (process, errors)) in processes.enumerated() {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 && failure == nil {
                failure = SyntheticCorpusError.workerFailed(worker: worker, status: process.terminationStatus,
                                                            message: message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        if let failure { throw failure }
        return try assemble(plan: plan, workers: jobs)
    }

    /// Synthesizes planned utterances `range` and writes their WAV files and records (worker side).
    ///
    /// eSpeak NG 1.51 carries internal state from one synthesis to the next (the same sentence
    /// comes out a few samples different the second time), and cannot be re-initialised in a
    /// process; flite does the same. So the worker initialises the synthesizers its share needs
    /// once and forks a child per utterance: every utterance starts from the same just-initialised
    /// state, and the corpus does not depend on which worker made which utterance.
    public func runWorker(range: Range<Int>, worker: Int) throws {
        let plan = try CorpusPlan(options: options)
        var synthesizers = Synthesizers()
        for index in range {
            switch plan.utterances[index].speaker.voice {
            case .espeak: if synthesizers.espeak == nil { synthesizers.espeak = try SpeechSynthesizer() }
            case .flite: if synthesizers.flite == nil { synthesizers.flite = try FliteSynthesizer() }
            }
        }
        let resampler = Resampler()
        let childDirectory = workDirectory + "/utterances"
        try FileManager.default.createDirectory(atPath: childDirectory, withIntermediateDirectories: true)
        var records = [UtteranceRecord]()
        for index in range {
            let utterance = plan.utterances[index]
            let recordPath = "\(childDirectory)/\(utterance.id).json"
            let errorPath = "\(childDirectory)/\(utterance.id).error"
            let pid = fork()
            if pid == 0 {
                do {
                    let record = try synthesize(index: index, plan: plan, synthesizers: synthesizers, resampler: resampler)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    try AtomicFile.write(String(decoding: try encoder.encode(record), as: UTF8.self), to: recordPath)
                    _exit(0)
                } catch {
                    try? AtomicFile.write("\(error)", to: errorPath)
                    _exit(1)
                }
            }
            guard pid > 0 else { throw SyntheticCorpusError.synthesizerUnavailable(reason: "fork failed: \(String(cString: strerror(errno)))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            guard status == 0 else {
                let message = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "utterance \(utterance.id): synthesis process ended with status \(status)"
                throw SyntheticCorpusError.workerFailed(worker: worker, status: status, message: message)
            }
            records.append(try JSONDecoder().decode(UtteranceRecord.self, from: Data(contentsOf: URL(fileURLWithPath: recordPath))))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(String(decoding: try encoder.encode(records), as: UTF8.self), to: recordsPath(worker: worker))
    }

    /// The synthesizers a worker has initialised (only those its share of utterances needs).
    private struct Synthesizers {
        var espeak: SpeechSynthesizer?
        var flite: FliteSynthesizer?
    }

    /// Synthesizes one planned utterance, writes its WAV file, and returns its record.
    private func synthesize(index: Int, plan: CorpusPlan, synthesizers: Synthesizers, resampler: Resampler) throws -> UtteranceRecord {
        let utterance = plan.utterances[index]
        // Per-utterance randomness, independent of how utterances are shared among workers.
        var random = SeededGenerator(seed: options.seed ^ (UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15))
        let wavDirectory = "\(outputDirectory)/\(utterance.set)/wav"
        try FileManager.default.createDirectory(atPath: wavDirectory, withIntermediateDirectories: true)
        let spoken: (samples: [Int16], sampleRate: Int, reference: ReferenceAlignment)
        switch utterance.speaker.voice {
        case let .espeak(voice):
            guard let synthesizer = synthesizers.espeak else { preconditionFailure("the worker initialises eSpeak NG for its eSpeak utterances") }
            spoken = try speak(utterance, voice: voice, synthesizer: synthesizer, random: &random)
        case let .flite(voice):
            guard let synthesizer = synthesizers.flite else { preconditionFailure("the worker initialises flite for its flite utterances") }
            spoken = try speak(utterance, voice: voice, synthesizer: synthesizer, random: &random)
        }
        let rate = Double(spoken.sampleRate)
        let reference = spoken.reference
        var waveform = try resampler.resample(Waveform(samples: spoken.samples.map(Float.init), sampleRate: spoken.sampleRate),
                                              to: options.sampleRate, path: utterance.id)
        for i in waveform.samples.indices { waveform.samples[i] += Float(options.noiseRMS * random.gaussian()) }
        let wavPath = "\(wavDirectory)/\(utterance.id).wav"
        try SoundFile.writeWAV(path: wavPath, samples: waveform.samples, sampleRate: options.sampleRate)
        func seconds(_ sample: Int) -> Double { Double(sample) / rate }
        var record = UtteranceRecord(
            id: utterance.id, set: utterance.set, speaker: utterance.speaker.id, words: utterance.words, wavPath: wavPath,
            durationSeconds: Double(waveform.samples.count) / Double(options.sampleRate),
            phones: reference.phones.map { .init(label: $0.label, start: seconds($0.start), end: seconds($0.end)) },
            wordIntervals: reference.words.map { .init(label: $0.label, start: seconds($0.start), end: seconds($0.end)) },
            pronunciations: reference.pronunciations, mergedPhones: reference.mergedPhones,
            silenceEnergy: 0, silenceSamples: 0, vowelEnergy: 0, vowelSamples: 0)
        // Energy of the written audio per segment class.
        let scale = Double(options.sampleRate)
        for phone in record.phones {
            let a = min(waveform.samples.count, Int((phone.start * scale).rounded()))
            let b = min(waveform.samples.count, Int((phone.end * scale).rounded()))
            guard b > a else { continue }
            let energy = waveform.samples[a..<b].reduce(0.0) { $0 + Double($1.rounded()) * Double($1.rounded()) }
            if phone.label == "SIL" {
                record.silenceEnergy += energy
                record.silenceSamples += b - a
            } else if options.inventory.isVowel(phone.label) {
                record.vowelEnergy += energy
                record.vowelSamples += b - a
            }
        }
        return record
    }

    /// eSpeak NG's audio with the edge silences (drawn from `random`) and its repaired reference.
    private func speak(_ utterance: PlannedUtterance, voice: Voice, synthesizer: SpeechSynthesizer,
                       random: inout SeededGenerator) throws -> (samples: [Int16], sampleRate: Int, reference: ReferenceAlignment) {
        var synthesis = try synthesizer.synthesize(words: utterance.words, voice: voice)
        let inventory = options.inventory
        synthesis.events = try WordAttribution.completingWordEvents(synthesis.events, wordCount: utterance.words.count, utterance: utterance.id,
                                                                    inventory: inventory) { i in
            try synthesizer.isolatedPhonemes(of: utterance.words[i]).filter {
                if case .phones = try inventory.mapping(of: $0, utterance: utterance.id, word: utterance.words[i]) { return true }
                return false
            }.count
        }
        let rate = Double(synthesis.sampleRate)
        let lead = Int(rate * Double(random.integer(in: options.edgeSilenceMilliseconds)) / 1000)
        let trail = Int(rate * Double(random.integer(in: options.edgeSilenceMilliseconds)) / 1000)
        synthesis.samples = [Int16](repeating: 0, count: lead) + synthesis.samples + [Int16](repeating: 0, count: trail)
        synthesis.events = synthesis.events.map { event in
            switch event {
            case let .word(index, sample): return .word(index: index, sample: sample + lead)
            case let .phoneme(mnemonic, sample): return .phoneme(mnemonic: mnemonic, sample: sample + lead)
            }
        }
        let reference = try ReferenceAlignment(
            events: synthesis.events, samples: synthesis.samples, words: utterance.words, utterance: utterance.id,
            minimumSilence: Int(options.minimumSilenceMilliseconds * rate / 1000),
            minimumClosure: Int(options.minimumClosureMilliseconds * rate / 1000), inventory: inventory)
        return (synthesis.samples, synthesis.sampleRate, reference)
    }

    /// flite's audio with the edge silences (drawn from `random`, as for eSpeak) and its reference.
    private func speak(_ utterance: PlannedUtterance, voice: FliteVoice, synthesizer: FliteSynthesizer,
                       random: inout SeededGenerator) throws -> (samples: [Int16], sampleRate: Int, reference: ReferenceAlignment) {
        let synthesis = try synthesizer.synthesize(words: utterance.words, voice: voice, utterance: utterance.id)
        let rate = Double(synthesis.sampleRate)
        let lead = Int(rate * Double(random.integer(in: options.edgeSilenceMilliseconds)) / 1000)
        let trail = Int(rate * Double(random.integer(in: options.edgeSilenceMilliseconds)) / 1000)
        let samples = [Int16](repeating: 0, count: lead) + synthesis.samples + [Int16](repeating: 0, count: trail)
        let reference = try ReferenceAlignment(flite: synthesis, leadSamples: lead, sampleCount: samples.count, words: utterance.words,
                                               utterance: utterance.id, minimumSilence: Int(options.minimumSilenceMilliseconds * rate / 1000))
        return (samples, synthesis.sampleRate, reference)
    }

    /// Writes the tables from the workers' records.
    private func assemble(plan: CorpusPlan, workers: Int) throws -> SyntheticCorpusStatistics {
        var records = [UtteranceRecord]()
        for worker in 0..<workers {
            let data = try Data(contentsOf: URL(fileURLWithPath: recordsPath(worker: worker)))
            records += try JSONDecoder().decode([UtteranceRecord].self, from: data)
        }
        records.sort { cLocaleLess($0.id, $1.id) }
        var statistics = SyntheticCorpusStatistics(sets: [:], phoneCounts: [:], mergedPhones: [:], silenceToVowelEnergyDecibels: 0, seed: options.seed)
        var allLexicon = Set<String>()
        var silence = (energy: 0.0, samples: 0), vowel = (energy: 0.0, samples: 0)
        let fliteSet = plan.utterances.contains { $0.set == "test-flite" }
        for set in ["train", "test"] + (fliteSet ? ["test-flite"] : []) {
            // The flite set has its own lexicon and is left out of the figures for the eSpeak sets.
            let espeak = set != "test-flite"
            let subset = records.filter { $0.set == set }
            let dir = "\(outputDirectory)/\(set)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try TableFile.write(subset.map { ($0.id, $0.wavPath) }, to: dir + "/wav.scp")
            try TableFile.write(subset.map { ($0.id, $0.words.map { $0.uppercased() }.joined(separator: " ")) }, to: dir + "/text")
            try TableFile.write(subset.map { ($0.id, $0.speaker) }, to: dir + "/utt2spk")
            var bySpeaker = [String: [String]]()
            for r in subset { bySpeaker[r.speaker, default: []].append(r.id) }
            try TableFile.write(bySpeaker.map { ($0.key, $0.value.joined(separator: " ")) }, to: dir + "/spk2utt")
            var lexicon = Set<String>()
            var phonesCTM = "", wordsCTM = ""
            for r in subset {
                for phone in r.phones { phonesCTM += ctmLine(r.id, phone) }
                for word in r.wordIntervals { wordsCTM += ctmLine(r.id, word) }
                for (word, pronunciation) in zip(r.words, r.pronunciations) {
                    lexicon.insert("\(word.uppercased()) \(pronunciation.joined(separator: " "))")
                }
                guard espeak else { continue }
                for phone in r.phones { statistics.phoneCounts[phone.label, default: 0] += 1 }
                for (phone, n) in r.mergedPhones { statistics.mergedPhones[phone, default: 0] += n }
                silence.energy += r.silenceEnergy; silence.samples += r.silenceSamples
                vowel.energy += r.vowelEnergy; vowel.samples += r.vowelSamples
            }
            try AtomicFile.write(phonesCTM, to: dir + "/phones.ctm")
            try AtomicFile.write(wordsCTM, to: dir + "/words.ctm")
            try AtomicFile.write(lexicon.sorted(by: cLocaleLess).map { $0 + "\n" }.joined(), to: dir + "/lexicon.txt")
            if espeak { allLexicon.formUnion(lexicon) }
            let words = subset.flatMap(\.words)
            statistics.sets[set] = .init(utterances: subset.count, hours: subset.reduce(0) { $0 + $1.durationSeconds } / 3600,
                                         speakers: Set(subset.map(\.speaker)).sorted(), words: words.count,
                                         vocabulary: Set(words).count, lexiconEntries: lexicon.count)
        }
        try AtomicFile.write(allLexicon.sorted(by: cLocaleLess).map { $0 + "\n" }.joined(), to: outputDirectory + "/lexicon.txt")
        let meanSilence = silence.energy / Double(max(1, silence.samples))
        let meanVowel = vowel.energy / Double(max(1, vowel.samples))
        statistics.silenceToVowelEnergyDecibels = 10 * log10(max(meanSilence, 1e-10) / meanVowel)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(String(decoding: try encoder.encode(statistics), as: UTF8.self) + "\n", to: outputDirectory + "/stats.json")
        try? FileManager.default.removeItem(atPath: workDirectory)
        return statistics
    }

    /// `UTT 1 start dur token`, times in seconds with millisecond precision; a segment's end is
    /// the next one's start, so rounded segments still tile the file.
    private func ctmLine(_ utterance: String, _ interval: UtteranceRecord.Interval) -> String {
        let start = (interval.start * 1000).rounded() / 1000
        let end = (interval.end * 1000).rounded() / 1000
        return "\(utterance) 1 \(String(format: "%.3f", start)) \(String(format: "%.3f", end - start)) \(interval.label)\n"
    }
}
