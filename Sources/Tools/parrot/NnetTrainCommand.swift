import Acoustic
import ArgumentParser
import Corpus
import Foundation
import KaldiIO
import Training

struct NnetTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnet-train",
        abstract: "Train the BiLSTM acoustic model on frame-level targets that already exist.",
        discussion: """
        FEATS is a features directory written by `parrot features` (or its feats.scp); CMVN \
        statistics there are applied on the fly. TARGETS holds one class per frame for each \
        utterance: a Kaldi integer-vector archive (e.g. alignments converted from Kaldi or MFA) \
        or text lines `UTT c c c ...`. Utterances whose target count differs from their frame \
        count are skipped with a message.

        Writes MODEL_DIR/epoch-N.mdl after every epoch, MODEL_DIR/final.mdl (the latest), \
        MODEL_DIR/checkpoint (for --resume) and MODEL_DIR/train.log (one line per epoch: loss, \
        frame accuracy, validation, frames/s, elapsed). A killed run continues with --resume and \
        ends with the same model as an uninterrupted one.

        e.g.: parrot nnet-train exp/feats/train exp/ali/train.txt exp/nnet --layers 2 --hidden 128 --epochs 8
        """
    )

    @Argument(help: "Features directory (or its feats.scp).")
    var feats: String

    @Argument(help: "Frame targets: Kaldi integer-vector archive or text 'UTT c c c ...'.")
    var targets: String

    @Argument(help: "Directory for the model, checkpoints and log.")
    var modelDir: String

    @Option(help: "Passes over the training data.") var epochs = 10
    @Option(help: "Early stopping: end after this many epochs without a lower validation loss and keep the best epoch as final.mdl (0: train every epoch).") var patience = 0
    @OptionGroup(title: "Network") var network: NetworkArguments
    @Option(help: "File with one class label per line (line N names class N); default: labels 0..max target.") var classLabels: String?
    @Flag(help: "Continue from MODEL_DIR/checkpoint if present.") var resume = false

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard patience >= 0 else { throw ValidationError("--patience must be 0 or more") }
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "nnet-train") {
            var source = try FeatureSource(path: feats)
            source.varianceNormalization = network.normVars ?? .none
            let table = try TargetTable.read(path: targets)
            let labels: [String]
            if let classLabels {
                labels = try String(contentsOfFile: classLabels, encoding: .utf8).split(whereSeparator: \.isNewline)
                    .map { String($0.split(separator: " ").first ?? "") }.filter { !$0.isEmpty }
            } else {
                let maximum = table.values.compactMap { $0.max() }.max() ?? 0
                labels = (0...Int(maximum)).map(String.init)
            }
            var options = network.options(epochs: epochs)
            options.patience = patience > 0 ? patience : nil
            let trainer = NetworkTrainer(source: source, targets: table, classLabels: labels, options: options, modelDirectory: modelDir)
            trainer.launcher = network.launcher
            let progress = ProgressLine("training")
            trainer.onEvent = { event in
                switch event {
                case let .message(text): progress.finish(); printError("parrot nnet-train: \(text)")
                case let .progress(epoch, done, total): progress.update(done, total, note: "epoch \(epoch)")
                case let .epoch(report): progress.finish(); print(report.line)
                case let .kept(epoch, epochs): print("parrot nnet-train: kept epoch \(epoch) of \(epochs), the lowest validation loss")
                }
            }
            print("parrot nnet-train: OpenBLAS \(BLAS.coreName) kernels, directions of each layer on 2 threads")
            _ = try trainer.run(resume: resume)
            print("parrot nnet-train: model in \(modelDir)/final.mdl")
        }
    }
}
