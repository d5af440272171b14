import Core
import Foundation
import SyntheticCorpus
import Transcription

/// `--oov g2p`: pronunciations from eSpeak NG for the words of the transcripts that the lexicon
/// lacks, written where the user can check and correct them.
enum PronunciationFallback {
    /// `lexicon` completed for `transcripts`. The generated entries go to `DIRECTORY/g2p.txt` and
    /// the whole lexicon to `DIRECTORY/lexicon-g2p.txt` (returned with it, for launched jobs);
    /// a word eSpeak cannot pronounce is named with its utterances (they are then left out as
    /// with `--oov skip`).
    static func complete(_ lexicon: Lexicon, transcripts: [String: String], directory: String, command: String) throws -> (lexicon: Lexicon, path: String) {
        var missing = [String: [String]]()   // word → utterances
        for (utterance, transcript) in transcripts {
            for word in Lexicon.normalizedWords(transcript) where lexicon.lookup(word) == nil { missing[word, default: []].append(utterance) }
        }
        var generated = [(word: String, phones: [String])]()
        if !missing.isEmpty {
            let pronouncer = try EspeakPronouncer()
            for word in missing.keys.sorted(by: cLocaleLess) {
                do { generated.append((word, try pronouncer.pronunciation(of: word))) } catch {
                    let utterances = missing[word]!.sorted(by: cLocaleLess)
                    let listed = utterances.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (utterances.count > 5 ? " and \(utterances.count - 5) more" : "")
                    printError("parrot \(command): --oov g2p: \(error) (utterance\(utterances.count == 1 ? "" : "s") \(listed))")
                }
            }
        }
        let completed = lexicon.adding(generated)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let listing = (directory as NSString).appendingPathComponent("g2p.txt")
        try AtomicFile.write(generated.map { "\($0.word) \($0.phones.joined(separator: " "))\n" }.joined(), to: listing)
        let path = (directory as NSString).appendingPathComponent("lexicon-g2p.txt")
        try AtomicFile.write(completed.lines.map { $0 + "\n" }.joined(), to: path)
        if !generated.isEmpty { print("parrot \(command): --oov g2p: \(generated.count.grouped) words pronounced by eSpeak NG, listed in \(listing)") }
        return (completed, path)
    }
}
