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

        `--breakdown N` adds where the misses are: the boundaries grouped by the reference phones \
        on their two sides (e.g. `N -> AH`), or by those phones' classes with `--phone-classes`, \
        the N groups with the most boundaries beyond 20 ms first, each with its median signed \
        error. A group whose median is far from 0 is a timing bias or a labelling convention at \
        that kind of boundary; one whose median is near 0 but which misses often is uncertainty.

        e.g.: parrot eval-align exp/tts/data/test/phones.ctm exp/tts/align_test/phones.ctm
              parrot eval-align REF.ctm HYP.ctm --breakdown 12 --phone-classes recipes/common/arpabet-classes.txt
        """
    )

    @Argument(help: "Reference CTM.") var reference: String
    @Argument(help: "Hypothesis CTM.") var hypothesis: String
    @Option(help: "Labels to leave out of the comparison, comma-separated (e.g. SIL).") var ignore = ""
    @Option(help: "Also list the N kinds of boundary (the reference phones on its two sides) with the most boundaries beyond 20 ms (0: none).")
    var breakdown = 0
    @Option(help: ArgumentHelp("Group phones into classes for --breakdown: one class per line, 'CLASS PHONE PHONE ...' (recipes/common/arpabet-classes.txt for ARPAbet); other phones stand for themselves.",
                               valueName: "file"))
    var phoneClasses: String?

    func validate() throws {
        guard breakdown >= 0 else { throw ValidationError("--breakdown must be 0 or more, got \(breakdown)") }
        guard phoneClasses == nil || breakdown > 0 else { throw ValidationError("--phone-classes groups the phones of --breakdown: give --breakdown N as well") }
    }

    func run() throws {
        try exitStatus(of: "eval-align") {
            let evaluation = BoundaryEvaluation(reference: try CTMEntry.read(path: reference), hypothesis: try CTMEntry.read(path: hypothesis),
                                                ignoring: Set(ignore.split(separator: ",").map(String.init)))
            let classes = try phoneClasses.map { try PhoneClasses.read(path: $0) } ?? PhoneClasses()
            print(evaluation.summary)
            if breakdown > 0 { print(evaluation.breakdown(count: breakdown, classes: classes)) }
        }
    }
}
