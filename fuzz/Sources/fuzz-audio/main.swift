import Audio
import FuzzSupport

// Audio through Parrot's loader: libsndfile from memory and from a file, channel mixing,
// resampling to 16 kHz and log-Mel features of the first second.
private let resampler = Resampler()
private let fbank = try! FbankComputer(options: FbankOptions())

runFuzzer { data, count in
    let bytes = FuzzInput.bytes(data, count)
    _ = try? SoundFile.decode(bytes: bytes, description: "input")
    let path = FuzzInput.file("input.wav", bytes)
    guard let audio = try? SoundFile.read(path: path), audio.frameCount < 1 << 20,
          let mono = try? audio.mono(channel: nil, path: path),
          let resampled = try? resampler.resample(mono, to: 16_000, path: path) else { return 0 }
    _ = fbank.compute(Array(resampled.samples.prefix(16_000)))
    return 0
}
