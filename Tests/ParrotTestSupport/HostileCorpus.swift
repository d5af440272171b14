import Core
import Foundation
import KaldiIO

/// A data directory mixing good recordings with every kind of bad input, for batch-robustness tests.
public enum HostileCorpus {
    /// FSDD utterances that must succeed (the last one through a piped sox command).
    public static let goodFiles = ["0_george_0", "1_jackson_5", "7_lucas_12", "9_yweweler_49"]

    /// Builds the directory: four good FSDD recordings and every kind of bad input issue 2 names.
    /// - Returns: the directory and, per bad utterance, a phrase its error message must contain.
    public static func make() throws -> (dir: String, bad: [String: String]) {
        let dir = try TestSupport.temporaryDirectory()
        let recordings = TestSupport.corpus("fsdd/recordings")
        var wav = [String]()
        for name in goodFiles.dropLast() { wav.append("\(name) \(recordings)/\(name).wav") }
        wav.append("\(goodFiles.last!) sox \(recordings)/\(goodFiles.last!).wav -t wav - |")
        try TestSupport.write("this is text, not audio", to: dir + "/text.wav")
        FileManager.default.createFile(atPath: dir + "/empty.wav", contents: Data())
        var nan = [Float](repeating: 0.01, count: 6 * 9600)
        nan[5] = .nan
        try WaveFile.write(to: dir + "/nan.wav", samples: nan, channels: 6, sampleRate: 96000, encoding: .float32)
        wav.append("bad_text \(dir)/text.wav")
        wav.append("bad_empty \(dir)/empty.wav")
        wav.append("bad_nan \(dir)/nan.wav")
        wav.append("bad_missing \(dir)/does-not-exist.wav")
        wav.append("bad_pipe sh -c 'echo decoder exploded >&2; exit 2' |")
        wav.append("bad_dup \(recordings)/2_nicolas_3.wav")
        wav.append("bad_dup \(recordings)/3_nicolas_3.wav")
        try TestSupport.write(wav.joined(separator: "\n") + "\n", to: dir + "/wav.scp")
        let keys = goodFiles + ["bad_text", "bad_empty", "bad_nan", "bad_missing", "bad_pipe", "bad_dup"]
        try TestSupport.write((keys + ["bad_noaudio"]).map { "\($0) SOME WORDS" }.joined(separator: "\n") + "\n", to: dir + "/text")
        try TestSupport.write(keys.map { "\($0) \($0.split(separator: "_").dropFirst().first ?? "x")" }.joined(separator: "\n") + "\n", to: dir + "/utt2spk")
        let bad = [
            "bad_text": "cannot read audio", "bad_empty": "empty", "bad_nan": "NaN",
            "bad_missing": "no such file", "bad_pipe": "decoder exploded", "bad_dup": "duplicate key",
            "bad_noaudio": "no audio",
        ]
        return (dir, bad)
    }

}

/// A yesno data directory for running every stage (validate, features, train, align, decode) over
/// hostile audio: good recordings (also as 8- and 24-bit PCM, A-law, clipped, all-zero, and under
/// a path with spaces and non-ASCII characters) mixed with every kind of broken one issue 8 names.
public enum HostileStageCorpus {
    /// Recordings of Kaldi's yesno corpus used unchanged.
    public static let plain = ["0_0_0_0_1_1_1_1", "0_0_0_1_0_0_0_1", "0_0_1_0_0_0_1_0", "0_0_1_0_1_0_0_0",
                               "0_1_0_0_0_1_0_0", "0_1_0_0_1_0_1_1", "0_0_0_1_0_1_1_0", "0_0_1_0_0_1_1_0"]

    /// The yesno lexicon.
    public static let lexicon = "NO N OW\nYES Y EH S\n"

    /// Writes a clean data directory of yesno recordings (`wav.scp`, `text`) at `path`.
    public static func writeDataDirectory(at path: String, names: [String] = plain) throws {
        let yesno = TestSupport.corpus("yesno/waves_yesno")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try TestSupport.write(names.map { "\($0) \(yesno)/\($0).wav\n" }.joined(), to: path + "/wav.scp")
        try TestSupport.write(names.map { "\($0) \(transcript($0))\n" }.joined(), to: path + "/text")
    }

    /// The yesno transcript of a recording's name (1 = YES, 0 = NO).
    public static func transcript(_ name: String) -> String {
        name.split(separator: "_").map { $0 == "1" ? "YES" : "NO" }.joined(separator: " ")
    }

    public struct Made {
        public var dir: String
        /// Utterances every stage must finish, with their transcripts.
        public var good: [String: String]
        /// Utterances whose audio is broken, with a phrase each stage's message must contain.
        public var bad: [String: String]
        /// Utterances with usable audio whose transcript cannot be aligned (train and align fail them, decode does not).
        public var unalignable: [String: String]
    }

    /// Builds the directory (wav.scp, text, utt2spk) and the lexicon `dir/lexicon.txt`.
    public static func make() throws -> Made {
        let dir = try TestSupport.temporaryDirectory("parrot-hostile")
        let audio = dir + "/audio"
        try FileManager.default.createDirectory(atPath: audio + "/dir with spaces", withIntermediateDirectories: true)
        let yesno = TestSupport.corpus("yesno/waves_yesno")
        var wav = [String: String](), good = [String: String](), bad = [String: String](), unalignable = [String: String]()
        for name in plain {
            wav[name] = "\(yesno)/\(name).wav"
            good[name] = transcript(name)
        }
        func variant(_ key: String, from name: String, _ make: ([Float], Int, String) throws -> Void) throws {
            let (samples, rate) = try WaveFile.readPCM16("\(yesno)/\(name).wav")
            let path = "\(audio)/\(key).wav"
            try make(samples, rate, path)
            wav[key] = path
            good[key] = transcript(name)
        }
        try variant("v_pcm8", from: "0_0_1_0_0_1_1_1") { try WaveFile.write(to: $2, samples: $0, sampleRate: $1, encoding: .pcm8) }
        try variant("v_pcm24", from: "0_0_1_0_1_0_0_1") { try WaveFile.write(to: $2, samples: $0, sampleRate: $1, encoding: .pcm24) }
        try variant("v_clipped", from: "0_0_1_0_1_0_1_1") { try WaveFile.write(to: $2, samples: $0.map { max(-1, min(0.99997, $0 * 8)) }, sampleRate: $1) }
        try variant("v_alaw", from: "0_0_1_1_0_0_0_1") { samples, rate, path in
            try WaveFile.write(to: path + ".pcm.wav", samples: samples, sampleRate: rate)
            let sox = try TestSupport.run("/usr/bin/env", ["sox", path + ".pcm.wav", "-e", "a-law", path])
            guard sox.status == 0 else { throw TestFailure("sox (A-law) failed: \(sox.standardError)") }
        }
        let unicode = "\(audio)/dir with spaces/naïve ünïcode €.wav"
        try FileManager.default.copyItem(atPath: "\(yesno)/0_0_1_1_0_1_0_0.wav", toPath: unicode)
        wav["v_unicode"] = unicode
        good["v_unicode"] = transcript("0_0_1_1_0_1_0_0")
        try WaveFile.write(to: audio + "/zeros.wav", samples: [Float](repeating: 0, count: 48_000), sampleRate: 8000)
        wav["v_allzero"] = audio + "/zeros.wav"
        good["v_allzero"] = "NO"

        // Usable audio, impossible transcript: 150 ms for 20 words.
        let (some, rate) = try WaveFile.readPCM16("\(yesno)/0_0_1_1_0_1_1_0.wav")
        try WaveFile.write(to: audio + "/short_long.wav", samples: Array(some.prefix(rate * 15 / 100)), sampleRate: rate)
        wav["u_long_transcript"] = audio + "/short_long.wav"
        unalignable["u_long_transcript"] = Array(repeating: "YES NO", count: 10).joined(separator: " ")

        // Broken audio.
        let full = WaveFile.bytes(samples: some, sampleRate: rate)
        func broken(_ key: String, _ bytes: [UInt8], cause: String) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(audio)/\(key).wav"))
            wav[key] = "\(audio)/\(key).wav"
            bad[key] = cause
        }
        try broken("x_empty", [], cause: "empty")
        try broken("x_header_cut", Array(full.prefix(30)), cause: "cannot read audio")
        try broken("x_data_cut", Array(full.prefix(full.count / 2)), cause: "truncated: header declares")
        try broken("x_text_file", Array("this is not audio\n".utf8), cause: "cannot read audio")
        try broken("x_no_samples", WaveFile.bytes(samples: [], sampleRate: 8000), cause: "no samples")
        try broken("x_one_sample", WaveFile.bytes(samples: [0.1], sampleRate: 8000), cause: "only 1 sample")
        try broken("x_ten_ms", WaveFile.bytes(samples: Array(some.prefix(80)), sampleRate: 8000), cause: "shorter than one")
        var six = [Float]()
        for t in 0..<9600 { for c in 0..<6 { six.append(some[t] * Float(c + 1) / 6) } }
        six[6 * 100 + 2] = .nan
        six[6 * 200 + 4] = .infinity
        try broken("x_nan_inf", WaveFile.bytes(samples: six, channels: 6, sampleRate: 96_000, encoding: .float32), cause: "NaN or infinite")
        try FileManager.default.createSymbolicLink(atPath: audio + "/loop1.wav", withDestinationPath: audio + "/loop2.wav")
        try FileManager.default.createSymbolicLink(atPath: audio + "/loop2.wav", withDestinationPath: audio + "/loop1.wav")
        wav["x_symlink_loop"] = audio + "/loop1.wav"
        bad["x_symlink_loop"] = "symbolic links"
        wav["x_pipe_fails"] = "sh -c 'echo decoder exploded >&2; exit 3' |"
        bad["x_pipe_fails"] = "decoder exploded"
        wav["x_pipe_hangs"] = "sleep 600 |"
        bad["x_pipe_hangs"] = "did not finish within"
        wav["x_missing"] = audio + "/nope.wav"
        bad["x_missing"] = "no such file"

        let keys = wav.keys.sorted(by: cLocaleLess)
        let transcripts = good.merging(unalignable) { a, _ in a }
        try TestSupport.write(keys.map { "\($0) \(wav[$0]!)\n" }.joined(), to: dir + "/wav.scp")
        try TestSupport.write(keys.map { "\($0) \(transcripts[$0] ?? "YES")\n" }.joined(), to: dir + "/text")
        try TestSupport.write(keys.map { "\($0) \($0.hasPrefix("0_") ? "yesno" : "other")\n" }.joined(), to: dir + "/utt2spk")
        try TestSupport.write(lexicon, to: dir + "/lexicon.txt")
        return Made(dir: dir, good: good, bad: bad, unalignable: unalignable)
    }
}
