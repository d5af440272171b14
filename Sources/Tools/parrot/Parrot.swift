import Acoustic
import Foundation
import ArgumentParser

@main
struct Parrot: ParsableCommand {
    static func main() {
        // Line-buffered standard output, so progress reaches log files as it happens.
        setvbuf(stdout, nil, _IOLBF, 0)
        // Past a file-size limit (ulimit -f) writes fail with EFBIG and are reported like a full
        // disk, instead of the signal killing the process with files half-written.
        signal(SIGXFSZ, SIG_IGN)
        BLASKernelSelection.ensureFastKernels()
        BLAS.useOneThread()
        PrecisionArguments.chooseDefault()
        Parrot.main(nil)
    }

    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "parrot",
        abstract: "Speech-recognition pipeline toolkit: features, training, forced alignment, decoding.",
        discussion: """
        Every subcommand reads and writes Kaldi data directories and archives.
        Exit status: 0 when every input succeeded, 1 when some input failed (the rest are \
        still processed and a summary names the failures), 64 for bad command-line usage.
        """,
        version: "parrot \(version) (\(BLAS.configuration); CPU AVX-512: \(BLAS.cpuHasAVX512 ? "yes" : "no"); \(NetworkKernels.summary))",
        subcommands: [FeaturesCommand.self, ValidateCommand.self, DataDirCommand.self, LexiconCommand.self, CopyFeatsCommand.self, NnetTrainCommand.self, NnetForwardCommand.self, TrainCommand.self, AlignCommand.self, TrainRefinerCommand.self, EvalAlignCommand.self, DecodeCommand.self, ScoreCommand.self, LMCommand.self, ReportCommand.self, ModelsCommand.self, CombineFeaturesCommand.self, TrainWorkerCommand.self]
    )
}
