import Core
import Foundation
import KaldiIO
import SyntheticCorpus
import Transcription

/// `--oov g2p`: pronunciations from eSpeak NG for the words of the transcripts that the lexicon
/// lacks, written where the user can check and correct them.
enum PronunciationFallback {
    /// `lexicon` completed for `transcripts`. The generated entries go to `DIRECTORY/g2p.txt` and
    /// the whole lexicon to `DIRECTORY/lexicon-g2p.txt` (returned with it, for launched jobs);
    /// a word eSpeak cannot pronounce is named with its utterances (they are then left out as
    /// with `--oov skip`).
    static func complete(_ lexicon: Lexicon, transcripts: PackedTable, directory: String, command: String) throws -> (lexicon: Lexicon, path: String) {
        var missing = [String: [String]]()   // word → utterances
        for (utterance, transcript) in transcripts {
            for word in Lexicon.normalizedWords(transcript) where lexicon.lookup(word) == nil { missing[word, default: []].append(utterance) }
        }
        return try complete(lexicon, missing: missing, directory: directory, command: command) { places in
            let listed = places.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (places.count > 5 ? " and \(places.count - 5) more" : "")
            return "utterance\(places.count == 1 ? "" : "s") \(listed)"
        }
    }

    /// `lexicon` completed with the words of `vocabulary` (a grammar's or language model's, read
    /// from `source`) that it lacks, as for transcripts.
    static func complete(_ lexicon: Lexicon, vocabulary: [String], source: String, directory: String, command: String) throws -> (lexicon: Lexicon, path: String) {
        let missing = Dictionary(vocabulary.filter { lexicon.lookup($0) == nil && !$0.hasPrefix("<") }.map { ($0, [source]) }, uniquingKeysWith: { a, _ in a })
        return try complete(lexicon, missing: missing, directory: directory, command: command) { "in \($0.first ?? source)" }
    }

    /// The words of `missing` (word → where it is needed) pronounced and added; `named` says
    /// where a word eSpeak cannot pronounce was needed.
    private static func complete(_ lexicon: Lexicon, missing: [String: [String]], directory: String, command: String,
                                 named: ([String]) -> String) throws -> (lexicon: Lexicon, path: String) {
        var generated = [(word: String, phones: [String])]()
        if !missing.isEmpty {
            let pronouncer = try EspeakPronouncer()
            for (word, places) in missing.sorted(by: { cLocaleLess($0.key, $1.key) }) {
                do { generated.append((word, try pronouncer.pronunciation(of: word))) } catch {
                    printError("parrot \(command): --oov g2p: \(error) (\(named(places.sorted(by: cLocaleLess))))")
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
