import Acoustic
import FuzzSupport

// A Parrot model file (*.mdl): read, or refused with an AcousticModelError.
runFuzzer { data, count in
    let path = FuzzInput.file("input.mdl", FuzzInput.bytes(data, count))
    _ = try? ModelFile.read(path: path)
    return 0
}
