import Audio
import Core
import Foundation
import Transcription

// parrot-bench join DATA_DIR OUT_DIR MINUTES
//   Joins DATA_DIR's recordings (sorted by utterance) end to end into one recording of at least
//   MINUTES minutes with one transcript: OUT_DIR/long is a data directory of one utterance, `long`,
//   with its reference phones.ctm (DATA_DIR's times moved to where each piece now starts), and
//   OUT_DIR/pieces.txt lists `UTT START DURATION` for each piece, in seconds.
// parrot-bench split LONG_CTM PIECES OUT_CTM
//   Cuts a CTM of the long recording back into its pieces (utterance IDs and times of DATA_DIR),
//   so that it can be scored against DATA_DIR/phones.ctm: a phone belongs to the piece it starts
//   in, a piece whose first phone starts after the piece does gets SIL before it.

/// `UTT rest` lines of a Kaldi table file.
private func table(_ path: String) throws -> [(key: String, value: String)] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
        let parts = line.split(separator: " ", maxSplits: 1)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }
}

private func ctmLine(_ utterance: String, _ start: Double, _ duration: Double, _ label: String) -> String {
    String(format: "%@ 1 %.3f %.3f %@\n", utterance, start, duration, label)
}

func benchJoin(_ arguments: ArraySlice<String>) throws {
    let a = Array(arguments)
    guard a.count == 3, let minutes = Double(a[2]) else { fail("usage: parrot-bench join DATA_DIR OUT_DIR MINUTES") }
    let (data, out) = (a[0], a[1])
    let text = Dictionary(try table(data + "/text"), uniquingKeysWith: { first, _ in first })
    let reference = try CTMEntry.read(path: data + "/phones.ctm")
    var samples = [Float](), words = [String](), entries = [(start: Double, end: Double, label: String)](), pieces = ""
    var sampleRate = 0
    for (utterance, path) in try table(data + "/wav.scp").sorted(by: { $0.key < $1.key }) {
        guard Double(samples.count) < minutes * 60 * Double(max(sampleRate, 1)) || sampleRate == 0 else { break }
        let audio = try SoundFile.read(path: path)
        if sampleRate == 0 { sampleRate = audio.sampleRate }
        guard audio.sampleRate == sampleRate, let transcript = text[utterance], let phones = reference[utterance] else {
            fail("\(utterance): another sample rate, or no transcript or reference phones")
        }
        let offset = Double(samples.count) / Double(sampleRate)
        let duration = Double(audio.frameCount) / Double(sampleRate)
        samples += try audio.mono(channel: nil, path: path).samples
        words.append(transcript)
        pieces += String(format: "%@ %.6f %.6f\n", utterance, offset, duration)
        for phone in phones {
            // Each piece begins and ends with silence: the last piece's final SIL and this one's
            // first become one.
            if phone.label == "SIL", phone.start == 0, entries.last?.label == "SIL" {
                entries[entries.count - 1].end = offset + phone.end
            } else {
                entries.append((offset + phone.start, offset + phone.end, phone.label))
            }
        }
    }
    let directory = out + "/long"
    try FileManager.default.createDirectory(atPath: directory + "/wav", withIntermediateDirectories: true)
    try SoundFile.writeWAV(path: directory + "/wav/long.wav", samples: samples, sampleRate: sampleRate)
    try AtomicFile.write("long \(directory)/wav/long.wav\n", to: directory + "/wav.scp")
    try AtomicFile.write("long \(words.joined(separator: " "))\n", to: directory + "/text")
    try AtomicFile.write("long long\n", to: directory + "/utt2spk")
    try AtomicFile.write("long long\n", to: directory + "/spk2utt")
    let ctm = entries.map { ctmLine("long", $0.start, $0.end - $0.start, $0.label) }.joined()
    try AtomicFile.write(ctm, to: directory + "/phones.ctm")
    try AtomicFile.write(pieces, to: out + "/pieces.txt")
    print(String(format: "joined %d recordings, %.1f minutes, %d words, into %@", words.count,
                 Double(samples.count) / Double(sampleRate) / 60, words.joined(separator: " ").split(separator: " ").count, directory))
}

func benchSplit(_ arguments: ArraySlice<String>) throws {
    let a = Array(arguments)
    guard a.count == 3 else { fail("usage: parrot-bench split LONG_CTM PIECES OUT_CTM") }
    let phones = try CTMEntry.read(path: a[0]).values.flatMap { $0 }.sorted { $0.start < $1.start }
    let pieces = try String(contentsOfFile: a[1], encoding: .utf8).split(separator: "\n").map { line in
        let f = line.split(separator: " ")
        return (utterance: String(f[0]), start: Double(f[1])!, duration: Double(f[2])!)
    }
    var out = "", next = 0
    for piece in pieces {
        let end = piece.start + piece.duration
        var first = true
        while next < phones.count, phones[next].start < end - 1e-6 {
            let phone = phones[next]
            let start = max(0, phone.start - piece.start)
            if first, start > 0.0005 { out += ctmLine(piece.utterance, 0, start, "SIL") }
            first = false
            out += ctmLine(piece.utterance, start, min(phone.end, end) - piece.start - start, phone.label)
            next += 1
        }
    }
    try AtomicFile.write(out, to: a[2])
}
