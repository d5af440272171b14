import ArgumentParser
import Corpus
import Foundation

struct DataDirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-dir",
        abstract: "Write the Kaldi data directory a corpus folder maps to.",
        discussion: """
        A corpus folder is laid out as the Montreal Forced Aligner lays it out: a sub-folder per \
        speaker, each recording (.wav, .flac, … anything libsndfile reads) beside a transcript of \
        the same name: NAME.lab or NAME.txt (one line of text), or NAME.TextGrid whose non-empty \
        intervals (first interval tier, or --tier) are the utterances inside a long recording. \
        Every command that takes a data directory also takes such a folder and writes this \
        directory itself; data-dir is for those who want to see it or use it with Kaldi.

        Writes OUT_DIR/wav.scp (recording SPEAKER-NAME, white space in names turned into _), \
        text, utt2spk, spk2utt, segments (when a TextGrid divides a recording: utterances \
        SPEAKER-NAME-NNNN, NNNN the interval's number) and problems.txt. Every problem names \
        the file and the TextGrid line; the file or interval concerned is left out, the rest \
        written. Exit status 1 if any file was left out.

        e.g.: parrot data-dir ~/corpora/my_speakers data/train
        """
    )

    @Argument(help: "Corpus folder to read.") var corpusFolder: String
    @Argument(help: "Kaldi data directory to write.") var outDir: String
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments

    func run() throws {
        try exitStatus(of: "data-dir") {
            guard CorpusFolder.isCorpusFolder(corpusFolder) else {
                throw ValidationError("\(corpusFolder) is already a Kaldi data directory (it has wav.scp or feats.scp)")
            }
            let data = try corpus.resolve(corpusFolder, workDirectory: outDir, command: "data-dir")
            let utterances = data.folder?.utterances.count ?? 0
            print("Done: \(utterances.grouped) utterances in \(outDir)" + data.summaryNote)
            if data.folderErrors > 0 { throw ExitCode(1) }
        }
    }
}
