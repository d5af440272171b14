import Acoustic
import Align
import ArgumentParser
import Foundation
import Training

/// The jobs `parrot train --cmd` and `parrot nnet-train --cmd` launch; not for direct use.
struct TrainWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-worker",
        abstract: "One launched job of parrot train / nnet-train --cmd (started by the launcher, not by hand).",
        discussion: """
        epoch JOB_DIR EPOCH JOB JOBS: trains model copy JOB of JOBS for EPOCH from \
        JOB_DIR/epoch-EPOCH/start.mdl and start.ckpt on the copy's share of the batches \
        (JOB_DIR/job.json describes the features, targets and options) and writes out.JOB.mdl, \
        out.JOB.ckpt and out.JOB.json there for averaging.

        align JOB_DIR JOB JOBS: re-aligns part JOB of JOBS of the utterances JOB_DIR/job.json lists \
        and writes JOB_DIR/ali.JOB.ark and stats.JOB.json.
        """
    )

    @Argument(help: "epoch or align.") var kind: String
    @Argument(help: "Job directory, then EPOCH JOB JOBS (epoch) or JOB JOBS (align).") var values: [String]

    func run() throws {
        try exitStatus(of: "train-worker", usageStatus: 64) {
            let numbers = values.dropFirst().compactMap { Int($0) }
            switch kind {
            case "epoch" where values.count == 4 && numbers.count == 3:
                print(try NetworkTrainer.runLaunchedJob(directory: values[0], epoch: numbers[0], job: numbers[1], jobs: numbers[2]))
            case "align" where values.count == 3 && numbers.count == 2:
                print(try AlignmentTrainer.runLaunchedAlignment(directory: values[0], job: numbers[0], jobs: numbers[1]))
            default:
                throw ValidationError("expected 'epoch JOB_DIR EPOCH JOB JOBS' or 'align JOB_DIR JOB JOBS'")
            }
        }
    }
}
