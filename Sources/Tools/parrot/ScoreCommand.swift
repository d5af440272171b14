import ArgumentParser
import Core
import Decode
import Foundation
import KaldiIO

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Word (or phone) error rate of hypotheses against references, as Kaldi's compute-wer prints it.",
        discussion: """
        REF and HYP are Kaldi text files (`UTT token token ...`): words for WER, phones for PER. \
        Each hypothesis is aligned to its reference by Levenshtein distance and the counts are \
        printed as

            %WER 1.23 [ 12 / 976, 3 ins, 4 del, 5 sub ]
            %SER 10.00 [ 1 / 10 ]
            Scored 10 sentences, 0 not present in hyp.

        Utterances in REF without a hypothesis count as all deletions (--mode all, the default), \
        are skipped (--mode present) or stop the scoring (--mode strict). --per-utt prints each \
        utterance's alignment first (ref / hyp / op rows, S I D marking errors). Tokens compare \
        exactly; --ignore drops tokens (e.g. SIL, <unk>) from both sides first.

        e.g.: parrot score data/test/text exp/yesno/decode/text
        """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case all, present, strict }

    @Argument(help: "Reference text file.") var reference: String
    @Argument(help: "Hypothesis text file.") var hypothesis: String
    @Option(help: "Utterances missing from HYP: all (count as deletions), present (skip) or strict (error).") var mode: Mode = .all
    @Flag(help: "Print every utterance's alignment.") var perUtt = false
    @Option(help: "Label of the error rate: WER or PER.") var label = "WER"
    @Option(parsing: .upToNextOption, help: "Tokens removed from both sides before scoring.") var ignore: [String] = []

    func run() throws {
        try exitStatus(of: "score") {
            let references = try TableFile(path: reference)
            let hypotheses = try TableFile(path: hypothesis).dictionary
            let ignored = Set(ignore)
            func tokens(_ text: String) -> [String] {
                text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).filter { !ignored.contains($0) }
            }
            var total = ErrorCounts()
            var missing = [String]()
            for line in references.lines {
                guard let hyp = hypotheses[line.key] else {
                    missing.append(line.key)
                    if mode == .strict {
                        printError("parrot score: \(hypothesis): no hypothesis for utterance '\(line.key)' (\(reference):\(line.number))")
                        throw ExitCode(1)
                    }
                    if mode == .present { continue }
                    let counts = ErrorRate.align(reference: tokens(line.value), hypothesis: []).counts
                    total = total + counts
                    continue
                }
                let (counts, operations) = ErrorRate.align(reference: tokens(line.value), hypothesis: tokens(hyp))
                total = total + counts
                if perUtt { print(ErrorRate.alignmentLines(utterance: line.key, operations, counts: counts)) }
            }
            let extra = Set(hypotheses.keys).subtracting(references.lines.map(\.key))
            print(ErrorRate.summaryLine(total, label: label))
            print(ErrorRate.sentenceLine(total))
            print("Scored \(total.sentences) sentences, \(missing.count) not present in hyp.")
            if !extra.isEmpty { printError("parrot score: \(extra.count) hypotheses have no reference and were ignored (first: \(extra.sorted(by: cLocaleLess)[0]))") }
        }
    }
}
