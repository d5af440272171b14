import Acoustic
import ArgumentParser
import Corpus
import Decode
import Foundation

struct NnetForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnet-forward",
        abstract: "Write per-frame log-posteriors of a trained model as a Kaldi archive.",
        discussion: """
        MODEL is a model file (final.mdl), a model directory (its final.mdl is used) or a named model such as english. FEATS is a \
        features directory (or feats.scp); its CMVN statistics are applied as in training. OUT is \
        an archive path: OUT (frames × classes float matrices) and its index beside it (.scp); \
        with --nj N each worker writes OUT's stem.J.ark. Exit status 1 if any utterance failed.

        e.g.: parrot nnet-forward exp/nnet exp/feats/test exp/nnet/post_test.ark --nj 2
        """
    )

    @Argument(help: "Model file, model directory, or a named model (parrot models lists them).") var model: String
    @Argument(help: "Features directory (or its feats.scp).") var feats: String
    @Argument(help: "Output archive path (.ark); the .scp index is written beside it.") var out: String
    @Option(name: .customLong("nj"), help: "Number of parallel workers.") var jobs = 1

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "nnet-forward") {
            let acoustic = try ModelFile.read(path: try ModelPath.resolve(model))
            var source = try FeatureSource(path: feats, cmvn: acoustic.cmvn)
            source.varianceNormalization = acoustic.varianceNormalization
            var job = ForwardJob(model: acoustic, source: source)
            job.jobs = jobs
            let progress = ProgressLine("forward")
            job.progress = { progress.update($0, $1) }
            let result = try job.run(output: out)
            progress.finish()
            for (key, reason) in result.failures { printError("parrot nnet-forward: utterance '\(key)': \(reason)") }
            let total = result.written + result.failures.count
            print("Done \(result.written.grouped) of \(total.grouped) utterances" + (result.failures.isEmpty ? "" : "; \(result.failures.count) failed"))
            if !result.failures.isEmpty { throw ExitCode(1) }
        }
    }
}
