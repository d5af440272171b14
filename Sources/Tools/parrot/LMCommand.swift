import ArgumentParser
import Core
import Decode
import Foundation
import KaldiIO

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Estimate a back-off n-gram language model (ARPA) from a text file.",
        discussion: """
        TEXT is a Kaldi text file (`UTT word word ...`) or, with --no-keys, one sentence per line. \
        Words are upper-cased to match lexicons. The model uses absolute discounting with back-off \
        (discount n1/(n1+2 n2) per order); the mass taken from unigrams goes to <unk>. Read by \
        `parrot decode --lm` (and by SRILM, KenLM or Kaldi's arpa2fst).

        e.g.: parrot lm exp/tts/data/train/text exp/tts/lm/bigram.arpa --order 2
        """
    )

    @Argument(help: "Training text.") var text: String
    @Argument(help: "Output ARPA file.") var output: String
    @Option(help: "N-gram order (1-3).") var order = 2
    @Flag(help: "Lines have no utterance key: every word is text.") var noKeys = false

    func validate() throws {
        guard (1...3).contains(order) else { throw ValidationError("--order must be 1, 2 or 3") }
    }

    func run() throws {
        try exitStatus(of: "lm") {
            guard let data = FileManager.default.contents(atPath: text) else {
                printError("parrot lm: \(text): cannot read the file")
                throw ExitCode(1)
            }
            var sentences = [[String]]()
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).uppercased() }
                if !noKeys && !words.isEmpty { words.removeFirst() }
                if !words.isEmpty { sentences.append(words) }
            }
            guard !sentences.isEmpty else {
                printError("parrot lm: \(text): no sentences")
                throw ExitCode(1)
            }
            let directory = (output as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let arpa = NGramEstimator.arpa(sentences: sentences, order: order)
            try AtomicFile.write(arpa, to: output)
            let model = try ArpaLanguageModel(text: arpa, path: output)
            print("parrot lm: \(sentences.count.grouped) sentences; \(model.counts.enumerated().map { "\($0.element.grouped) \($0.offset + 1)-grams" }.joined(separator: ", ")) in \(output)")
        }
    }
}
