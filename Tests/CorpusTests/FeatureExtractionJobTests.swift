import Audio
import Corpus
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

@Suite struct FeatureExtractionJobTests {
    static let goodFiles = HostileCorpus.goodFiles
    static func makeHostileDirectory() throws -> (dir: String, bad: [String: String]) { try HostileCorpus.make() }

    static func options(jobs: Int = 1) -> FeatureJobOptions {
        var options = FeatureJobOptions()
        options.fbank.sampleRate = 8000
        options.jobs = jobs
        return options
    }

    @Test(.requiresCorpus(.fsdd)) func badUtterancesAreReportedAndTheRestAreWritten() throws {
        let (dir, bad) = try Self.makeHostileDirectory()
        let out = dir + "/out"
        let report = try FeatureExtractionJob(data: try DataDirectory(path: dir), outputDirectory: out, options: Self.options()).run()
        #expect(report.total == Self.goodFiles.count + bad.count)
        #expect(report.succeeded == Self.goodFiles.count)
        #expect(Set(report.failures.map(\.utterance)) == Set(bad.keys))
        for failure in report.failures {
            let cause = try #require(bad[failure.utterance])
            #expect(failure.reason.contains(cause), "\(failure.utterance): '\(failure.reason)' should mention '\(cause)'")
        }
        // Every good utterance's features equal a direct computation from its file.
        let scp = try ScriptFile(path: out + "/feats.scp")
        #expect(scp.keys == Self.goodFiles)
        var fbankOptions = FbankOptions()
        fbankOptions.sampleRate = 8000
        let fbank = try FbankComputer(options: fbankOptions)
        for name in Self.goodFiles {
            let audio = try SoundFile.read(path: TestSupport.corpus("fsdd/recordings/\(name).wav"))
            let expected = fbank.compute(try audio.mono(channel: nil, path: name).samples)
            #expect(try scp.read(name) == .floatMatrix(expected))
        }
        // The output tables hold only the good utterances.
        #expect(try TableFile(path: out + "/text").keys == Self.goodFiles)
        #expect(try TableFile(path: out + "/utt2spk").keys == Self.goodFiles)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test(.requiresCorpus(.fsdd)) func twoWorkersWriteTheSameFeaturesAsOne() throws {
        let (dir, _) = try Self.makeHostileDirectory()
        let data = try DataDirectory(path: dir)
        _ = try FeatureExtractionJob(data: data, outputDirectory: dir + "/one", options: Self.options(jobs: 1)).run()
        _ = try FeatureExtractionJob(data: data, outputDirectory: dir + "/two", options: Self.options(jobs: 2)).run()
        let one = try ScriptFile(path: dir + "/one/feats.scp"), two = try ScriptFile(path: dir + "/two/feats.scp")
        #expect(one.keys == two.keys)
        for key in one.keys { #expect(try one.read(key) == two.read(key)) }
        #expect(FileManager.default.fileExists(atPath: dir + "/two/feats.2.ark"), "each worker writes its own archive")
    }

    /// Long recordings stream (read, resampled and analysed a block at a time); the features
    /// must be those of the whole-recording path: 8 kHz files resampled to 16 kHz, a 6-channel
    /// file averaged and one channel picked, with and without dither.
    @Test(.requiresCorpus(.yesno), arguments: [(nil, 0), (nil, 1), (3, 0)] as [(Int?, Float)])
    func streamedLongRecordingsGiveTheWholeRecordingsFeatures(channel: Int?, dither: Float) throws {
        let dir = try TestSupport.temporaryDirectory()
        let yesno = TestSupport.corpus("yesno/waves_yesno")
        let names = ["0_0_0_0_1_1_1_1", "0_0_1_0_1_0_0_1"]
        var wav = names.map { "\($0) \(yesno)/\($0).wav" }
        let (samples, rate) = try WaveFile.readPCM16("\(yesno)/\(names[0]).wav")
        var six = [Float]()
        for s in samples { for c in 0..<6 { six.append(s * Float(c + 1) / 7) } }
        try WaveFile.write(to: dir + "/six.wav", samples: six, channels: 6, sampleRate: rate, encoding: .pcm24)
        wav.append("six \(dir)/six.wav")
        try TestSupport.write(wav.joined(separator: "\n") + "\n", to: dir + "/wav.scp")
        var options = FeatureJobOptions()
        options.audio.channel = channel
        options.fbank.dither = dither > 0 ? dither : nil
        let data = try DataDirectory(path: dir)
        _ = try FeatureExtractionJob(data: data, outputDirectory: dir + "/whole", options: options).run()
        let streaming = FeatureExtractionJob(data: data, outputDirectory: dir + "/streamed", options: options)
        streaming.longRecordingSeconds = 0
        _ = try streaming.run()
        let whole = try ScriptFile(path: dir + "/whole/feats.scp"), streamed = try ScriptFile(path: dir + "/streamed/feats.scp")
        #expect(whole.keys == streamed.keys && whole.keys.count == 3)
        for key in whole.keys {
            let a = try #require(try whole.read(key).asFloatMatrix), b = try #require(try streamed.read(key).asFloatMatrix)
            #expect(a.rows == b.rows && a.columns == b.columns, "\(key): \(a.rows) vs \(b.rows) frames")
            guard a.rows == b.rows else { continue }
            #expect(TestSupport.maxAbsoluteDifference(a, b) < 1e-4, "\(key): streamed features differ by \(TestSupport.maxAbsoluteDifference(a, b))")
        }
    }

    @Test(.requiresCorpus(.fsdd)) func speakerCMVNStatisticsSumTheSpeakersUtterances() throws {
        let dir = try TestSupport.temporaryDirectory()
        let rec = TestSupport.corpus("fsdd/recordings")
        try TestSupport.write("a \(rec)/0_george_0.wav\nb \(rec)/1_george_0.wav\nc \(rec)/2_lucas_0.wav\n", to: dir + "/wav.scp")
        try TestSupport.write("a george\nb george\nc lucas\n", to: dir + "/utt2spk")
        _ = try FeatureExtractionJob(data: try DataDirectory(path: dir), outputDirectory: dir + "/out", options: Self.options()).run()
        let feats = try ScriptFile(path: dir + "/out/feats.scp")
        let cmvn = try ScriptFile(path: dir + "/out/cmvn.scp")
        #expect(cmvn.keys == ["george", "lucas"])
        var george = CMVNStatistics(features: try feats.read("a").asFloatMatrix!)
        george.add(CMVNStatistics(features: try feats.read("b").asFloatMatrix!))
        guard case let .doubleMatrix(stored) = try cmvn.read("george") else { Issue.record("cmvn is not a double matrix"); return }
        let recomputed = george.kaldiMatrix
        #expect(stored.rows == 2 && stored.columns == 41)
        for (x, y) in zip(stored.values, recomputed.values) { #expect(abs(x - y) <= 1e-9 * max(1, abs(y))) }
    }

    /// Speakers whose utterances are spread through the corpus, with one copy of each utterance
    /// of a kind its ID picks: every speaker's sum spans the workers' shares, and each must come
    /// out as one sequential sum over its utterances in C-locale order, to the last bit, with any
    /// number of workers.
    @Test(.requiresCorpus(.fsdd)) func speakerStatisticsAreOneSequentialSumWithAnyNumberOfWorkers() throws {
        let dir = try TestSupport.temporaryDirectory()
        let rec = TestSupport.corpus("fsdd/recordings")
        let ids = (0..<12).map { String(format: "u%02d", $0) }
        try TestSupport.write(ids.enumerated().map { "\($1) \(rec)/\($0 % 10)_george_\($0 / 10).wav\n" }.joined(), to: dir + "/wav.scp")
        try TestSupport.write(ids.enumerated().map { "\($1) s\($0 % 3)\n" }.joined(), to: dir + "/utt2spk")
        let data = try DataDirectory(path: dir)
        for jobs in [1, 2, 3, 5] {
            var options = Self.options(jobs: jobs)
            options.speedFactors = [0.9, 1.1]
            options.noiseSNRs = [10]
            options.oneCopyEach = true
            let out = dir + "/out\(jobs)"
            _ = try FeatureExtractionJob(data: data, outputDirectory: out, options: options).run()
            let feats = try ScriptFile(path: out + "/feats.scp")
            let speakers = try TableFile(path: out + "/utt2spk").dictionary
            var expected = [String: CMVNStatistics]()
            // One worker's order: by original utterance, the original before its copy.
            let order = feats.keys.sorted { a, b in
                let (x, y) = (FeatureJobOptions.unperturbedKey(a).key, FeatureJobOptions.unperturbedKey(b).key)
                return x != y ? x < y : (a == x && b != y)
            }
            for key in order {
                let statistics = CMVNStatistics(features: try feats.read(key).asFloatMatrix!)
                if expected[speakers[key]!] == nil { expected[speakers[key]!] = statistics } else { expected[speakers[key]!]!.add(statistics) }
            }
            let cmvn = try ScriptFile(path: out + "/cmvn.scp")
            #expect(Set(cmvn.keys) == Set(expected.keys) && expected.count > 3, "\(jobs) workers: \(cmvn.keys)")
            for (speaker, statistics) in expected {
                #expect(try cmvn.read(speaker) == .doubleMatrix(statistics.kaldiMatrix), "\(jobs) workers, speaker \(speaker)")
            }
        }
    }

    @Test(.requiresCorpus(.yesno)) func segmentsSelectSubRangesOfARecording() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = TestSupport.corpus("yesno/waves_yesno/0_0_1_0_1_0_0_1.wav")
        try TestSupport.write("rec \(path)\n", to: dir + "/wav.scp")
        try TestSupport.write("rec-a rec 0.5 1.5\nrec-b rec 2.0 -1\n", to: dir + "/segments")
        _ = try FeatureExtractionJob(data: try DataDirectory(path: dir), outputDirectory: dir + "/out", options: Self.options()).run()
        let scp = try ScriptFile(path: dir + "/out/feats.scp")
        let samples = try SoundFile.read(path: path).interleaved
        var fbankOptions = FbankOptions()
        fbankOptions.sampleRate = 8000
        let fbank = try FbankComputer(options: fbankOptions)
        #expect(try scp.read("rec-a") == .floatMatrix(fbank.compute(Array(samples[4000..<12000]))))
        #expect(try scp.read("rec-b") == .floatMatrix(fbank.compute(Array(samples[16000...]))))
    }

    @Test(.requiresCorpus(.fsdd)) func eightKilohertzAudioIsResampledToTheDefaultSixteen() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("a \(TestSupport.corpus("fsdd/recordings/5_jackson_20.wav"))\n", to: dir + "/wav.scp")
        _ = try FeatureExtractionJob(data: try DataDirectory(path: dir), outputDirectory: dir + "/out", options: FeatureJobOptions()).run()
        let eight = try SoundFile.read(path: TestSupport.corpus("fsdd/recordings/5_jackson_20.wav"))
        let m = try #require(try ScriptFile(path: dir + "/out/feats.scp").read("a").asFloatMatrix)
        // Same duration, frames at 10 ms: 1 + (2N − 400) / 160 at 16 kHz.
        #expect(m.rows == 1 + (2 * eight.frameCount - 400) / 160)
        #expect(m.columns == 40)
        let settings = try String(contentsOfFile: dir + "/out/feats.json", encoding: .utf8)
        #expect(settings.contains("\"sampleRate\" : 16000"))
    }
}

/// Speed perturbation: each copy is the recording played faster or slower — fewer or more
/// frames, and a tone moved up or down in frequency by the factor.
@Suite struct SpeedPerturbationTests {
    /// Features of a one-utterance data directory (`u1`, speaker `alice`, 8 kHz `samples`) in
    /// `dir/out`, with the augmentation `configure` sets.
    static func augment(_ samples: [Float], transcript: String, in dir: String,
                        _ configure: (inout FeatureJobOptions) -> Void) throws -> FeatureJobReport {
        try WaveFile.write(to: dir + "/tone.wav", samples: samples, sampleRate: 8000)
        try TestSupport.write("u1 \(dir)/tone.wav\n", to: dir + "/wav.scp")
        try TestSupport.write("u1 \(transcript)\n", to: dir + "/text")
        try TestSupport.write("u1 alice\n", to: dir + "/utt2spk")
        var options = FeatureJobOptions()
        options.fbank.sampleRate = 8000
        configure(&options)
        return try FeatureExtractionJob(data: try DataDirectory(path: dir), outputDirectory: dir + "/out", options: options).run()
    }

    @Test func copiesAreResampledAndKeepTheirTranscriptsAndSpeakers() throws {
        let dir = try TestSupport.temporaryDirectory()
        let report = try Self.augment(WaveFile.tone(frequency: 1000, seconds: 1, sampleRate: 8000), transcript: "HELLO THERE", in: dir) {
            $0.speedFactors = [0.9, 1.0, 1.1]
        }
        #expect(report.total == 3 && report.succeeded == 3)
        let scp = try ScriptFile(path: dir + "/out/feats.scp")
        #expect(scp.keys == ["sp0.9-u1", "sp1.1-u1", "u1"])
        // 8,000 samples played 1.1 times faster last 8000 / 1.1 = 7,273 samples: 1 + (7273 − 200) / 80 frames.
        let expectedFrames = ["sp0.9-u1": 1 + (8889 - 200) / 80, "u1": 1 + (8000 - 200) / 80, "sp1.1-u1": 1 + (7273 - 200) / 80]
        // The tone's filterbank peak: the bin whose centre (evenly spaced on the mel scale
        // between 20 Hz and Nyquist) is nearest the moved frequency.
        let low = MelFilterbank.mel(20), high = MelFilterbank.mel(4000)
        func nearestBin(_ hz: Double) -> Int {
            (0..<40).min { abs(low + Double($0 + 1) * (high - low) / 41 - MelFilterbank.mel(hz)) < abs(low + Double($1 + 1) * (high - low) / 41 - MelFilterbank.mel(hz)) }!
        }
        for (key, factor) in [("sp0.9-u1", 0.9), ("u1", 1.0), ("sp1.1-u1", 1.1)] {
            guard case let .floatMatrix(m) = try scp.read(key) else { Issue.record("\(key) is not a matrix"); continue }
            #expect(m.rows == expectedFrames[key], "\(key): \(m.rows) frames")
            let middle = Array(m.row(m.rows / 2))
            let peak = middle.indices.max { middle[$0] < middle[$1] }!
            #expect(peak == nearestBin(1000 * factor), "\(key): peak in bin \(peak), expected \(nearestBin(1000 * factor))")
        }
        #expect(try TableFile(path: dir + "/out/text").dictionary == ["u1": "HELLO THERE", "sp0.9-u1": "HELLO THERE", "sp1.1-u1": "HELLO THERE"])
        #expect(try TableFile(path: dir + "/out/utt2spk").dictionary == ["u1": "alice", "sp0.9-u1": "sp0.9-alice", "sp1.1-u1": "sp1.1-alice"])
        #expect(try TableFile(path: dir + "/out/cmvn.scp").keys.sorted() == ["alice", "sp0.9-alice", "sp1.1-alice"])
        #expect(FeatureJobOptions.unperturbedKey("sp1.1-u1") == (1.1, "u1"))
        #expect(FeatureJobOptions.unperturbedKey("spk7-u1") == (1, "spk7-u1"))
    }

    /// Noise copies: the added noise has the requested level below the signal, the copy is
    /// reproducible, and its speaker and transcript follow the original.
    @Test func noiseCopiesHaveTheRequestedSignalToNoiseRatio() throws {
        let dir = try TestSupport.temporaryDirectory()
        let tone = WaveFile.tone(frequency: 440, seconds: 1, sampleRate: 8000, amplitude: 0.5)
        for snr in [0.0, 10, 20] {
            var noisy = tone
            FeatureExtractionJob.addNoise(to: &noisy, snr: snr, seed: "u1")
            let signal = (tone.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(tone.count)).squareRoot()
            let noise = (zip(noisy, tone).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(tone.count)).squareRoot()
            #expect(abs(20 * log10(signal / noise) - snr) < 0.2, "asked \(snr) dB, got \(20 * log10(signal / noise))")
            var again = tone
            FeatureExtractionJob.addNoise(to: &again, snr: snr, seed: "u1")
            #expect(again == noisy)
        }
        let report = try Self.augment(tone, transcript: "HELLO", in: dir) { $0.noiseSNRs = [10] }
        #expect(report.succeeded == 2 && report.total == 2)
        #expect(try TableFile(path: dir + "/out/utt2spk").dictionary == ["u1": "alice", "ns10-u1": "ns10-alice"])
        #expect(try TableFile(path: dir + "/out/text").dictionary == ["u1": "HELLO", "ns10-u1": "HELLO"])
        #expect(FeatureJobOptions.unperturbedKey("ns10-u1") == (1, "u1") && FeatureJobOptions.isCopy("ns10-u1"))
    }

    /// Room and telephone copies: written beside the original with its speaker and transcript,
    /// as long as the original, and the same again in a second run.
    @Test func roomAndTelephoneCopiesFollowTheOriginal() throws {
        let dir = try TestSupport.temporaryDirectory()
        let tone = WaveFile.tone(frequency: 440, seconds: 1, sampleRate: 8000, amplitude: 0.5)
        let report = try Self.augment(tone, transcript: "HELLO", in: dir) { $0.reverbTimes = [0.4]; $0.telephone = true }
        #expect(report.succeeded == 3 && report.total == 3)
        #expect(try TableFile(path: dir + "/out/utt2spk").dictionary == ["u1": "alice", "rv0.4-u1": "rv0.4-alice", "tel-u1": "tel-alice"])
        #expect(try TableFile(path: dir + "/out/text").dictionary == ["u1": "HELLO", "rv0.4-u1": "HELLO", "tel-u1": "HELLO"])
        #expect(FeatureJobOptions.unperturbedKey("rv0.4-u1") == (1, "u1") && FeatureJobOptions.unperturbedKey("tel-u1") == (1, "u1"))
        #expect(FeatureJobOptions.unperturbedKey("telly-u1") == (1, "telly-u1"))
        let scp = try ScriptFile(path: dir + "/out/feats.scp")
        guard case let .floatMatrix(original) = try scp.read("u1"), case let .floatMatrix(room) = try scp.read("rv0.4-u1"),
              case let .floatMatrix(line) = try scp.read("tel-u1") else { Issue.record("copies are not matrices"); return }
        #expect(room.rows == original.rows && line.rows == original.rows)
        #expect(room != original && line != original)

        // One copy each: the original and one of the three copies, the same one in every run.
        let once = try TestSupport.temporaryDirectory()
        let oneReport = try Self.augment(tone, transcript: "HELLO", in: once) { $0.noiseSNRs = [20]; $0.reverbTimes = [0.4]; $0.telephone = true; $0.oneCopyEach = true }
        #expect(oneReport.succeeded == 2 && oneReport.total == 2)
        let keys = try ScriptFile(path: once + "/out/feats.scp").keys
        let copy = ["ns20-u1", "rv0.4-u1", "tel-u1"][Int(FeatureExtractionJob.seed(of: "u1") % 3)]
        #expect(keys.sorted() == [copy, "u1"].sorted())
    }
}
