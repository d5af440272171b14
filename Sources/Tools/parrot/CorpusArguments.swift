import ArgumentParser
import Core
import Corpus
import Foundation

/// How a corpus folder (MFA's layout: a sub-folder per speaker, each recording beside a `.lab`,
/// `.txt` or `.TextGrid` of the same name) is read where a Kaldi data directory is expected.
struct CorpusArguments: ParsableArguments {
    @Option(help: "Corpus folders: the speaker is the first N characters of each file name instead of its sub-folder (MFA's --speaker_characters).")
    var speakerCharacters: Int?
    @Option(help: "Corpus folders: the TextGrid tier whose non-empty intervals are the utterances (default: the first interval tier).")
    var tier: String?

    func validate() throws {
        guard speakerCharacters ?? 1 >= 1 else { throw ValidationError("--speaker-characters must be at least 1") }
    }

    var options: CorpusFolder.Options { CorpusFolder.Options(speakerCharacters: speakerCharacters, tier: tier) }

    /// `path` as a Kaldi data directory. A data directory is returned as it is. A corpus folder is
    /// read, its problems are printed (`parrot COMMAND: error: FILE:LINE: …`) and listed in
    /// `WORK/problems.txt`, and its data directory is written to `workDirectory`.
    func resolve(_ path: String, workDirectory: String, command: String, requireTranscripts: Bool = true) throws -> ResolvedData {
        guard CorpusFolder.isCorpusFolder(path) else { return ResolvedData(path: path, folder: nil) }
        var options = options
        options.requireTranscripts = requireTranscripts
        let folder = try CorpusFolder(path: path, options: options)
        for problem in folder.problems { printError("parrot \(command): \(problem)") }
        try folder.writeDataDirectory(to: workDirectory)
        let problems = (workDirectory as NSString).appendingPathComponent("problems.txt")
        if folder.problems.isEmpty { try? FileManager.default.removeItem(atPath: problems) } else {
            try AtomicFile.write(folder.problems.map { "\($0)\n" }.joined(), to: problems)
        }
        let utterances = folder.recordings.reduce(0) { $0 + $1.utterances.count }
        print("parrot \(command): corpus folder \(path): \(folder.recordings.count.grouped) recordings, \(utterances.grouped) utterances of \(folder.speakerCount.grouped) speaker\(folder.speakerCount == 1 ? "" : "s"); its Kaldi data directory is \(workDirectory)")
        return ResolvedData(path: workDirectory, folder: folder)
    }
}

/// A data directory as a command uses it, and the corpus folder it was made from, if any.
struct ResolvedData {
    let path: String
    let folder: CorpusFolder?
    /// Each recording's and utterance's audio file, relative to the folder.
    private let audioFiles: [String: String]

    init(path: String, folder: CorpusFolder?) {
        self.path = path
        self.folder = folder
        var files = [String: String]()
        for recording in folder?.recordings ?? [] {
            let file = String(recording.audioPath.dropFirst((folder?.path.count ?? 0) + 1))
            files[recording.id] = file
            for utterance in recording.utterances { files[utterance.id] = file }
        }
        audioFiles = files
    }

    /// Files of the corpus folder that were left out (errors), 0 for a data directory.
    var folderErrors: Int { folder?.problems.filter { $0.severity == .error }.count ?? 0 }

    /// `problem` (found in the data directory written for a corpus folder) located in the folder:
    /// a recording's or utterance's problem names its audio file instead of a table line.
    func located(_ problem: DataProblem) -> DataProblem {
        guard let key = problem.key, let file = audioFiles[key] else { return problem }
        var moved = problem
        moved.file = file
        moved.line = nil
        return moved
    }

    /// What to add to a command's summary line about the folder's problems.
    var summaryNote: String {
        folderErrors == 0 ? "" : "; \(folderErrors.grouped) problems in the corpus folder, see \(path)/problems.txt"
    }
}
