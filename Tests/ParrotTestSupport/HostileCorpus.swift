import Foundation

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
