import Corpus
import FuzzSupport

// A data directory: wav.scp, text, utt2spk, segments and spk2utt, separated by "\n--\n" lines.
// Tables only: audio is not decoded (wav.scp lines may be commands).
runFuzzer { data, count in
    let directory = FuzzInput.directory(FuzzInput.bytes(data, count), names: ["wav.scp", "text", "utt2spk", "segments", "spk2utt"])
    guard let data = try? DataDirectory(path: directory) else { return 0 }
    var options = DataDirectoryValidator.Options()
    options.checkAudio = false
    _ = DataDirectoryValidator(options: options).validate(data)
    for id in data.utteranceIDs { _ = data.utterance(id) }
    return 0
}
