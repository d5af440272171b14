import FuzzSupport
import KaldiIO

// A Kaldi archive (binary or text; matrices, vectors, compressed matrices): every object is read
// or a KaldiIOError is thrown.
runFuzzer { data, count in
    let path = FuzzInput.file("input.ark", FuzzInput.bytes(data, count))
    if let entries = try? KaldiArchiveReader.readAll(path: path) {
        for entry in entries { _ = entry.object.asFloatMatrix }
    }
    return 0
}
