import FuzzSupport
import KaldiIO

// An scp index ("KEY a.ark:OFFSET" lines) followed, after a "\n--\n" line, by the archive `a.ark`
// it points into. Only locations in a.ark are followed.
runFuzzer { data, count in
    let directory = FuzzInput.directory(FuzzInput.bytes(data, count), names: ["feats.scp", "a.ark"])
    guard let script = try? ScriptFile(path: "\(directory)/feats.scp") else { return 0 }
    for key in script.keys {
        guard let location = script.location(of: key), location.path == "a.ark" else { continue }
        _ = try? ScriptFile.read(at: ArchiveLocation(path: "\(directory)/a.ark", offset: location.offset), key: key)
    }
    return 0
}
