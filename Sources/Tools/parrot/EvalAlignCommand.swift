import Align
import ArgumentParser
import Foundation
import Transcription

struct EvalAlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-align",
        abstract: "Compare phone boundaries of an alignment with a reference alignment.",
        discussion: """
        Both files are CTM (`UTT 1 start dur phone`). Per utterance the phone sequences are matched \
        by edit distance; each matched phone's start (except at 0) is one boundary. Prints the \
        share of boundaries within 10, 20, 25 and 50 ms and the mean and median absolute error — \
        the figures forced-aligner papers report — and the median signed error (hypothesis minus \
        reference), which shows a timing bias or a labelling convention: positive is late.

        e.g.: parrot eval-align exp/tts/data/test/phones.ctm exp/tts/align_test/phones.ctm
        """
    )

    @Argument(help: "Reference CTM.") var reference: String
    @Argument(help: "Hypothesis CTM.") var hypothesis: String
    @Option(help: "Labels to leave out of the comparison, comma-separated (e.g. SIL).") var ignore = ""

    func run() throws {
        try exitStatus(of: "eval-align") {
            let evaluation = BoundaryEvaluation(reference: try CTMEntry.read(path: reference), hypothesis: try CTMEntry.read(path: hypothesis),
                                                ignoring: Set(ignore.split(separator: ",").map(String.init)))
            print(evaluation.summary)
        }
    }
}
