import Audio
import Core
import Foundation
import KaldiIO

/// A corpus laid out as the Montreal Forced Aligner lays it out, read as a Kaldi data directory.
///
/// The mapping (the one place it is defined):
/// - **Recordings** are the audio files under the folder, at any depth (`.wav`, `.flac`, `.ogg`,
///   `.mp3`, … whatever libsndfile reads; hidden files and folders are skipped).
/// - **Speaker**: the first sub-folder below the corpus folder; files directly in it belong to a
///   speaker named after the corpus folder. With `speakerCharacters` N, the first N characters of
///   the file name instead (MFA's `--speaker_characters`).
/// - **Transcript**: a file of the same name beside the recording, `NAME.lab` or `NAME.txt` (its
///   text, lines joined) or `NAME.TextGrid`: every non-empty interval of its first interval tier
///   (or of the tier named `tier`) is one utterance with its start and end (Kaldi's `segments`).
///   When several exist, `.lab` wins over `.txt` over `.TextGrid`, with a warning.
/// - **IDs**: a recording is `SPEAKER-NAME` (white space turned into `_`); its utterance has the
///   same ID, or `SPEAKER-NAME-NNNN` (the interval's number in its tier) for a TextGrid's intervals.
///
/// Every problem is collected in `problems`, naming the file (relative to the folder) and the
/// line or interval; only the recording or interval concerned is left out.
public struct CorpusFolder: Sendable {
    /// How speakers and utterances are found.
    public struct Options: Sendable {
        /// Speaker = the first N characters of the file name, instead of the sub-folder. Default nil.
        public var speakerCharacters: Int?
        /// TextGrid tier whose intervals are the utterances. Default nil: the first interval tier.
        public var tier: String?
        /// A recording without a transcript is an error and left out. Default true; false (for
        /// decoding) keeps it as one utterance without a transcript.
        public var requireTranscripts = true

        public init(speakerCharacters: Int? = nil, tier: String? = nil, requireTranscripts: Bool = true) {
            self.speakerCharacters = speakerCharacters
            self.tier = tier
            self.requireTranscripts = requireTranscripts
        }
    }

    /// One utterance: the whole recording, or an interval of its TextGrid.
    public struct Utterance: Equatable, Sendable {
        public var id: String
        public var transcript: String
        /// Start in the recording, seconds (0 for a whole recording).
        public var startSeconds: Double
        /// End in the recording, seconds; nil for the whole recording.
        public var endSeconds: Double?
    }

    /// One audio file and the utterances its transcript gives it.
    public struct Recording: Equatable, Sendable {
        public var id: String
        /// Speaker ID (white space turned into `_`).
        public var speaker: String
        /// The speaker as the folder (or file name) spells it.
        public var speakerName: String
        /// Absolute path of the audio file.
        public var audioPath: String
        /// Its path relative to the corpus folder, without the extension: where outputs mirror it.
        public var relativeName: String
        /// Duration from the file's header, seconds.
        public var durationSeconds: Double
        public var sampleRate: Int
        public var utterances: [Utterance]
    }

    /// Audio file extensions taken as recordings (lower case).
    public static let audioExtensions: Set<String> = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc",
                                                      "au", "snd", "caf", "w64", "rf64", "sph", "nist", "voc", "htk"]
    /// Transcript extensions, in order of preference.
    public static let transcriptExtensions = ["lab", "txt", "textgrid"]

    /// The folder, absolute.
    public let path: String
    /// Recordings with at least one usable utterance, sorted by ID.
    public private(set) var recordings: [Recording] = []
    /// Everything found wrong, in file order.
    public private(set) var problems: [DataProblem] = []

    /// True when `path` is a folder that is not a Kaldi data directory (no `wav.scp`, no `feats.scp`).
    public static func isCorpusFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
        return !["wav.scp", "feats.scp"].contains { fm.fileExists(atPath: (path as NSString).appendingPathComponent($0)) }
    }

    /// Reads the folder at `path`: lists its files, reads the transcripts and the audio headers.
    /// - Throws: `CorpusError.notADirectory`, or `.emptyCorpusFolder` when it holds no recording at all.
    public init(path: String, options: Options = Options()) throws {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        self.path = root.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError.notADirectory(path: path)
        }
        // Files by folder and name without extension.
        var audio = [String: [String]](), transcripts = [String: [String]]()
        for relative in Self.files(under: root) {
            let ext = (relative as NSString).pathExtension.lowercased()
            let stem = (relative as NSString).deletingPathExtension
            if Self.audioExtensions.contains(ext) { audio[stem, default: []].append(relative) }
            else if Self.transcriptExtensions.contains(ext) { transcripts[stem, default: []].append(relative) }
        }
        guard !audio.isEmpty else { throw CorpusError.emptyCorpusFolder(path: path) }
        for (stem, files) in transcripts.sorted(by: { cLocaleLess($0.key, $1.key) }) where audio[stem] == nil {
            for file in files {
                // A stray .txt (a README, notes) is more often not a transcript at all.
                let severity: DataProblem.Severity = file.lowercased().hasSuffix(".txt") ? .warning : .error
                problems.append(DataProblem(severity, file: file, "a transcript without a recording (no audio file named \((stem as NSString).lastPathComponent) beside it)"))
            }
        }
        var owner = [String: String]()   // recording and utterance IDs → the file that has it
        for (stem, unsorted) in audio.sorted(by: { cLocaleLess($0.key, $1.key) }) {
            let files = unsorted.sorted(by: cLocaleLess)
            for file in files.dropFirst() {
                problems.append(DataProblem(.error, file: file, "has the same name as \(files[0]) (one recording per name); left out"))
            }
            let file = files[0]
            let name = (stem as NSString).lastPathComponent
            let components = stem.split(separator: "/").map(String.init)
            let speaker: String
            if let n = options.speakerCharacters { speaker = String(name.prefix(n)) }
            else { speaker = components.count > 1 ? components[0] : root.lastPathComponent }
            let id = Self.identifier(speaker) + "-" + Self.identifier(name)
            if let other = owner[id] {
                problems.append(DataProblem(.error, file: file, key: id, "maps to the same utterance ID as \(other); left out"))
                continue
            }
            owner[id] = file
            let transcript = chooseTranscript(for: file, among: transcripts[stem] ?? [], required: options.requireTranscripts)
            guard transcript != nil || !options.requireTranscripts else { continue }
            let absolute = root.appendingPathComponent(file).path
            let header: SoundFileStream
            do { header = try SoundFileStream(path: absolute, channel: nil) } catch {
                problems.append(DataProblem(.error, file: file, key: id, "cannot be read as audio: \(error)"))
                continue
            }
            guard header.declaredFrames > 0, header.sampleRate > 0 else {
                problems.append(DataProblem(.error, file: file, key: id, "has no audio samples; left out"))
                continue
            }
            let duration = Double(header.declaredFrames) / Double(header.sampleRate)
            var recording = Recording(id: id, speaker: Self.identifier(speaker), speakerName: speaker, audioPath: absolute, relativeName: stem,
                                      durationSeconds: duration, sampleRate: header.sampleRate, utterances: [])
            if let transcript, transcript.lowercased().hasSuffix(".textgrid") {
                recording.utterances = utterances(ofTextGrid: transcript, root: root, recording: recording, tier: options.tier)
            } else if let transcript {
                if let text = readText(transcript, root: root, key: id) {
                    recording.utterances = [Utterance(id: id, transcript: text, startSeconds: 0, endSeconds: nil)]
                }
            } else {
                recording.utterances = [Utterance(id: id, transcript: "", startSeconds: 0, endSeconds: nil)]
            }
            // An interval's ID (SPEAKER-NAME-NNNN) may be another file's recording ID.
            recording.utterances.removeAll { utterance in
                guard utterance.id != id else { return false }
                if let other = owner[utterance.id] {
                    problems.append(DataProblem(.error, file: transcript ?? file, key: utterance.id, "this interval's utterance ID is also that of \(other); left out"))
                    return true
                }
                owner[utterance.id] = transcript ?? file
                return false
            }
            if !recording.utterances.isEmpty { recordings.append(recording) }
        }
        recordings.sort { cLocaleLess($0.id, $1.id) }
        let counts = Dictionary(grouping: recordings, by: \.sampleRate).mapValues(\.count)
        if counts.count > 1 {
            let listing = counts.sorted { $0.key < $1.key }.map { "\($0.value) at \($0.key) Hz" }.joined(separator: ", ")
            problems.append(DataProblem(.warning, file: ".", "recordings have different sample rates (\(listing)); features resample them all to one rate"))
        }
    }

    /// Speakers with at least one recording.
    public var speakerCount: Int { Set(recordings.map(\.speaker)).count }

    /// Every utterance, sorted by ID.
    public var utterances: [(recording: Recording, utterance: Utterance)] {
        recordings.flatMap { r in r.utterances.map { (r, $0) } }.sorted { cLocaleLess($0.utterance.id, $1.utterance.id) }
    }

    /// Writes the Kaldi data directory for the folder: `wav.scp`, `text`, `utt2spk`, `spk2utt`, and
    /// `segments` when a TextGrid divides a recording. Each file is written whole or not at all.
    public func writeDataDirectory(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let all = utterances
        try TableFile.write(recordings.map { (key: $0.id, value: $0.audioPath) }, to: file("wav.scp"))
        try TableFile.write(all.filter { !$0.utterance.transcript.isEmpty }.map { (key: $0.utterance.id, value: $0.utterance.transcript) }, to: file("text"))
        try TableFile.write(all.map { (key: $0.utterance.id, value: $0.recording.speaker) }, to: file("utt2spk"))
        try TableFile.writeSpeakerIndex(utteranceToSpeaker: all.map { ($0.utterance.id, $0.recording.speaker) }, to: file("spk2utt"))
        let segmentsFile = file("segments")
        if all.contains(where: { $0.utterance.endSeconds != nil }) {
            try TableFile.write(all.map { r, u in
                (key: u.id, value: "\(r.id) \(Self.seconds(u.startSeconds)) \(u.endSeconds.map(Self.seconds) ?? "-1")")
            }, to: segmentsFile)
        } else if FileManager.default.fileExists(atPath: segmentsFile) {
            try FileManager.default.removeItem(atPath: segmentsFile)
        }
    }

    /// A Kaldi ID from a name: white space becomes `_`.
    static func identifier(_ name: String) -> String {
        String(name.map { $0.isWhitespace ? "_" : $0 })
    }

    private static func seconds(_ x: Double) -> String {
        var s = String(format: "%.6f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Regular files under `root`, relative to it; hidden files and folders are skipped, linked
    /// files and folders followed (each folder once, so a link loop ends).
    private static func files(under root: URL) -> [String] {
        let fm = FileManager.default
        var found = [String](), visited = Set<String>()
        func walk(_ directory: URL, _ relative: String) {
            guard visited.insert(directory.resolvingSymlinksInPath().path).inserted,
                  let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
            for name in names where !name.hasPrefix(".") {
                let url = directory.appendingPathComponent(name)
                let path = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }   // a dangling link
                if isDirectory.boolValue { walk(url, path) } else { found.append(path) }
            }
        }
        walk(root, "")
        return found.sorted(by: cLocaleLess)
    }

    /// The transcript used for `audioFile`, by preference, warning about the others.
    private mutating func chooseTranscript(for audioFile: String, among candidates: [String], required: Bool) -> String? {
        let ranked = candidates.sorted {
            (Self.transcriptExtensions.firstIndex(of: ($0 as NSString).pathExtension.lowercased()) ?? 9)
                < (Self.transcriptExtensions.firstIndex(of: ($1 as NSString).pathExtension.lowercased()) ?? 9)
        }
        guard let chosen = ranked.first else {
            guard required else { return nil }
            problems.append(DataProblem(.error, file: audioFile, "a recording without a transcript (no .lab, .txt or .TextGrid of the same name); left out"))
            return nil
        }
        for other in ranked.dropFirst() {
            problems.append(DataProblem(.warning, file: other, "ignored: \(chosen) is the transcript of \(audioFile)"))
        }
        return chosen
    }

    /// The text of a `.lab` / `.txt` file, lines joined; nil (and a problem) when unreadable or empty.
    private mutating func readText(_ file: String, root: URL, key: String) -> String? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path) else {
            problems.append(DataProblem(.error, file: file, key: key, "cannot be read"))
            return nil
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            problems.append(DataProblem(.error, file: file, key: key, "is not UTF-8 text"))
            return nil
        }
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard !words.isEmpty else {
            problems.append(DataProblem(.error, file: file, key: key, "is empty: no words to align"))
            return nil
        }
        return words.joined(separator: " ")
    }

    /// The utterances a TextGrid marks in `recording`: its tier's non-empty intervals, checked.
    private mutating func utterances(ofTextGrid file: String, root: URL, recording: Recording, tier name: String?) -> [Utterance] {
        let grid: TextGridFile
        do { grid = try TextGridFile(path: root.appendingPathComponent(file).path) } catch let error as TextGridFile.ReadError {
            switch error {
            case let .unreadable(_, reason): problems.append(DataProblem(.error, file: file, key: recording.id, "cannot be read: \(reason); left out"))
            case let .notATextGrid(_, reason): problems.append(DataProblem(.error, file: file, key: recording.id, "not a Praat TextGrid: \(reason); left out"))
            case let .malformed(_, line, reason): problems.append(DataProblem(.error, file: file, line: line, key: recording.id, "\(reason); left out"))
            }
            return []
        } catch {
            problems.append(DataProblem(.error, file: file, key: recording.id, "\(error); left out"))
            return []
        }
        let tiers = grid.tiers.filter(\.isIntervalTier)
        guard let tier = name.map({ n in tiers.first { $0.name == n } }) ?? tiers.first else {
            let names = grid.tiers.map { "'\($0.name)'" }.joined(separator: ", ")
            problems.append(DataProblem(.error, file: file, key: recording.id,
                                        name.map { "has no interval tier named '\($0)' (its tiers: \(names.isEmpty ? "none" : names)); left out" } ?? "has no interval tier; left out"))
            return []
        }
        if name == nil, tiers.count > 1 {
            // MFA reads a tier per speaker; Parrot takes one tier (one speaker) per recording.
            problems.append(DataProblem(.warning, file: file, key: recording.id,
                                        "has \(tiers.count) interval tiers; only the first, '\(tier.name)', is read (--tier NAME chooses another; one speaker per recording)"))
        }
        var found = [Utterance]()
        var previous: TextGridFile.Interval?
        let tolerance = 0.0005
        for interval in tier.intervals {
            let words = interval.text.split(whereSeparator: { $0.isWhitespace })
            let place = "interval \(interval.number) (\(Self.seconds(interval.start))–\(Self.seconds(interval.end)) s) of tier '\(tier.name)'"
            if interval.end <= interval.start || interval.start < 0 {
                // An empty interval without words is harmless; one with words cannot be aligned.
                if !words.isEmpty || interval.end < interval.start || interval.start < 0 {
                    let what = interval.start < 0 ? "starts before 0" : interval.end < interval.start ? "ends before it starts" : "lasts no time"
                    problems.append(DataProblem(.error, file: file, line: interval.line, key: recording.id, "\(place) \(what); left out"))
                }
                continue
            }
            if let p = previous, interval.start < p.end - tolerance {
                problems.append(DataProblem(.error, file: file, line: interval.line, key: recording.id,
                                            "\(place) overlaps interval \(p.number) (\(Self.seconds(p.start))–\(Self.seconds(p.end)) s); left out"))
                continue
            }
            if recording.durationSeconds > 0, interval.end > recording.durationSeconds + tolerance {
                if !words.isEmpty {
                    problems.append(DataProblem(.error, file: file, line: interval.line, key: recording.id,
                                                "\(place) ends after the recording (\(Self.seconds(recording.durationSeconds)) s); left out"))
                }
                continue
            }
            previous = interval
            guard !words.isEmpty else { continue }
            let id = recording.id + "-" + String(format: "%04d", interval.number)
            found.append(Utterance(id: id, transcript: words.joined(separator: " "), startSeconds: interval.start, endSeconds: interval.end))
        }
        if found.isEmpty && !problems.contains(where: { $0.file == file && $0.severity == .error }) {
            problems.append(DataProblem(.error, file: file, key: recording.id, "tier '\(tier.name)' has no interval with words; left out"))
        }
        return found
    }
}
