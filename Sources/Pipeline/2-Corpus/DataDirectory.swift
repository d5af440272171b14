import Core
import Foundation
import KaldiIO

/// A sub-range of a recording (a `segments` line: `UTT RECORDING start end`, seconds; end −1 = to the end).
public struct Segment: Equatable, Sendable {
    public var recording: String
    public var startSeconds: Double
    public var endSeconds: Double

    public init(recording: String, startSeconds: Double, endSeconds: Double) {
        self.recording = recording
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }
}

/// One utterance, resolved from a data directory's tables.
public struct Utterance: Equatable, Sendable {
    public var id: String
    public var recording: String
    public var source: RecordingSource
    /// The part of the recording, when the directory has `segments`.
    public var segment: Segment?
    public var speaker: String?
    public var transcript: String?
}

/// A Kaldi data directory: `wav.scp`, and optionally `segments`, `text`, `utt2spk`, `spk2utt`, `feats.scp`.
///
/// Loading never stops at the first bad line: table problems (duplicate keys, malformed lines,
/// unsorted files, CRLF, byte-order marks) are collected in `problems`, and a key with a fatal
/// problem is left out of the tables and listed in `rejectedKeys` with the reason, so batch tools
/// can report it and go on with the rest.
public struct DataDirectory: Sendable {
    public let path: String
    /// `wav.scp`: recording → source.
    public private(set) var recordings = RecordingTable()
    /// `segments`, if present: utterance → segment.
    public private(set) var segments: [String: Segment]?
    /// `text`, if present: utterance → transcript (possibly empty).
    public private(set) var transcripts: PackedTable?
    /// `utt2spk`, if present.
    public private(set) var utteranceToSpeaker: PackedTable?
    /// `spk2utt`, if present: speaker → its utterances, separated by blanks.
    public private(set) var speakerToUtterances: PackedTable?
    /// `feats.scp`, if present.
    public private(set) var features: ScriptFile?
    /// Everything found wrong with the tables, in file order.
    public private(set) var problems: [DataProblem] = []
    /// Utterances or recordings dropped because of a table problem, with the reason.
    public private(set) var rejectedKeys: [String: String] = [:]
    /// The utterances among `rejectedKeys` (not recordings referred to by `segments`).
    public private(set) var rejectedUtterances: [String: String] = [:]
    private var hasSegmentsFile = false

    /// Reads the tables of the data directory at `path`.
    /// - Throws: `CorpusError.notADirectory`, or `.missingTable` when neither `wav.scp` nor `feats.scp` exists.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError.notADirectory(path: path)
        }
        let hasWavScp = exists("wav.scp")
        hasSegmentsFile = exists("segments")
        if !hasWavScp && !exists("feats.scp") {
            throw CorpusError.missingTable(directory: path, file: "wav.scp (or feats.scp)")
        }
        if hasWavScp {
            var recordings = PackedTable.Builder()
            var empty = [TableFile.Line]()
            if readTable("wav.scp", each: { line in
                if line.value.isEmpty { empty.append(line) } else { recordings.append(key: line.key, value: line.value) }
            }) {
                for line in empty {
                    reject(line.key, DataProblem(.error, file: "wav.scp", line: line.number, key: line.key, "no audio path or command"))
                }
                self.recordings = RecordingTable(recordings.table())
            }
        }
        if exists("segments"), let table = readTable("segments") {
            var parsed = [String: Segment]()
            for line in table.lines {
                let fields = line.value.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count == 3, let start = Double(fields[1]), let end = Double(fields[2]), start.isFinite, end.isFinite else {
                    reject(line.key, DataProblem(.error, file: "segments", line: line.number, key: line.key, "expected 'UTT RECORDING START END' with times in seconds, got '\(line.value)'"))
                    continue
                }
                guard start >= 0, end < 0 || end > start else {
                    reject(line.key, DataProblem(.error, file: "segments", line: line.number, key: line.key, "segment from \(start) s to \(end) s is empty or negative"))
                    continue
                }
                let recording = String(fields[0])
                guard recordings.contains(recording) || rejectedKeys[recording] != nil || !hasWavScp else {
                    reject(line.key, DataProblem(.error, file: "segments", line: line.number, key: line.key, "recording '\(recording)' is not in wav.scp"))
                    continue
                }
                parsed[line.key] = Segment(recording: recording, startSeconds: start, endSeconds: end)
            }
            segments = parsed
        }
        if exists("text") {
            var transcripts = PackedTable.Builder()
            if readTable("text", each: { transcripts.append(key: $0.key, value: $0.value) }) { self.transcripts = transcripts.table() }
        }
        if exists("utt2spk"), let table = readTable("utt2spk") {
            var pairs = [(key: String, value: String)]()
            for line in table.lines {
                let fields = line.value.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count == 1 else {
                    problems.append(DataProblem(.error, file: "utt2spk", line: line.number, key: line.key, fields.isEmpty ? "no speaker" : "expected one speaker, got '\(line.value)'"))
                    continue
                }
                pairs.append((line.key, String(fields[0])))
            }
            utteranceToSpeaker = PackedTable(pairs)
        }
        if exists("spk2utt") {
            var speakers = PackedTable.Builder()
            if readTable("spk2utt", each: { speakers.append(key: $0.key, value: $0.value) }) { speakerToUtterances = speakers.table() }
        }
        let rejected = Set(rejectedKeys.keys)
        recordings = RecordingTable(recordings.table.removing(rejected))
        for key in rejected { segments?[key] = nil }
        transcripts = transcripts?.removing(rejected)
        if exists("feats.scp") {
            do { features = try ScriptFile(path: file("feats.scp")) } catch {
                problems.append(DataProblem(.error, file: "feats.scp", "\(error)"))
            }
        }
    }

    /// Lets go of `text` and `spk2utt`, for work that needs neither (computing features).
    public mutating func releaseTranscripts() {
        transcripts = nil
        speakerToUtterances = nil
    }

    /// Utterances with audio: the keys of `segments` if present, else of `wav.scp`; C-locale sorted.
    public var utteranceIDs: [String] {
        segments.map { $0.keys.sorted(by: cLocaleLess) } ?? recordings.keys
    }

    /// Utterances that have a transcript but no audio.
    public var utterancesWithoutAudio: [String] {
        guard let transcripts else { return [] }
        func hasAudio(_ key: String) -> Bool { segments.map { $0[key] != nil } ?? recordings.contains(key) }
        return transcripts.keys.filter { !hasAudio($0) && rejectedKeys[$0] == nil }
    }

    /// The utterance `id`, resolved through `segments` and `wav.scp`.
    public func utterance(_ id: String) -> Utterance? {
        let recording = segments.map { $0[id]?.recording } ?? id
        guard let recording, let source = recordings[recording] else { return nil }
        return Utterance(id: id, recording: recording, source: source, segment: segments?[id],
                         speaker: utteranceToSpeaker?[id], transcript: transcripts?[id])
    }

    /// Speaker of `utterance` (the utterance itself when there is no `utt2spk`, as Kaldi assumes).
    public func speaker(of utterance: String) -> String {
        utteranceToSpeaker?[utterance] ?? utterance
    }

    /// Full path of a file in the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    private func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    private mutating func reject(_ key: String, _ problem: DataProblem) {
        problems.append(problem)
        rejectedKeys[key] = problem.description
        if !(problem.file == "wav.scp" && hasSegmentsFile) { rejectedUtterances[key] = problem.description }
    }

    /// Reads one table, turning its format problems into `problems`.
    private mutating func readTable(_ name: String) -> TableFile? {
        do {
            let table = try TableFile(path: file(name))
            record(problemsOf: table, name)
            return table
        } catch {
            problems.append(DataProblem(.error, file: name, "\(error)"))
            return nil
        }
    }

    /// Reads one table, handing the first occurrence of each key to `body` rather than keeping
    /// the lines, and turning its format problems into `problems`; false if it could not be read.
    private mutating func readTable(_ name: String, each body: (TableFile.Line) -> Void) -> Bool {
        do {
            record(problemsOf: try TableFile(path: file(name), each: body), name)
            return true
        } catch {
            problems.append(DataProblem(.error, file: name, "\(error)"))
            return false
        }
    }

    private mutating func record(problemsOf table: TableFile, _ name: String) {
        for duplicate in table.duplicates {
            let first = table.firstLineOfRepeatedKey[duplicate.key]
            reject(duplicate.key, DataProblem(.error, file: name, line: duplicate.number, key: duplicate.key,
                                              "duplicate key (first on line \(first.map(String.init) ?? "?")); the utterance is skipped"))
        }
        if let line = table.firstUnsortedLine {
            problems.append(DataProblem(.warning, file: name, line: line, "not sorted in C-locale order (Kaldi tools need 'LC_ALL=C sort'; Parrot sorts itself)"))
        }
        if table.hadByteOrderMark { problems.append(DataProblem(.warning, file: name, line: 1, "starts with a UTF-8 byte-order mark (ignored)")) }
        if table.hadCarriageReturns { problems.append(DataProblem(.warning, file: name, "has CRLF line endings (ignored)")) }
    }
}

/// `wav.scp`: recording → where its audio comes from, packed as the file's text.
public struct RecordingTable: Sendable, Sequence {
    fileprivate var table: PackedTable

    public init(_ table: PackedTable = PackedTable()) { self.table = table }

    public subscript(recording: String) -> RecordingSource? { table[recording].map(RecordingSource.init(wavScpValue:)) }
    public func contains(_ recording: String) -> Bool { table.contains(recording) }
    /// The recordings, in C-locale order.
    public var keys: [String] { table.keys }
    public var count: Int { table.count }
    public var isEmpty: Bool { table.isEmpty }

    public func makeIterator() -> LazyMapSequence<PackedTable, (key: String, value: RecordingSource)>.Iterator {
        table.lazy.map { (key: $0.key, value: RecordingSource(wavScpValue: $0.value)) }.makeIterator()
    }
}
