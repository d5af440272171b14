import Acoustic
import ArgumentParser
import Foundation
import KaldiIO

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

    @Option(help: "Bidirectional LSTM layers (0: a frame-local affine classifier on spliced frames).") var layers = 3
    @Option(help: "LSTM units per direction.") var hidden = 256
    @Option(help: "Projection units after each direction's LSTM (LSTMP); 0 for none.") var projection = 0
    @Option(help: "Frames of context spliced on each side of every frame.") var splice = 0
    @Option(help: "Dropout probability between layers.") var dropout: Float = 0
    @Option(help: "Passes over the training data.") var epochs = 10
    @Option(help: "Utterances per mini-batch (grouped by length).") var batchSize = 16
    @Option(help: "Adam's initial learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Learning-rate factor when the validation loss stops improving.") var learningRateDecay: Float = 0.5
    @Option(help: "Gradient-norm clipping threshold.") var clipNorm: Float = 5
    @Option(help: "Share of speakers (or utterances, for one speaker) held out for validation.") var validFraction = 0.1
    @Option(help: "Seed of initialisation, split, batch order and dropout.") var seed: UInt64 = 1
    @Option(help: "File with one class label per line (line N names class N); default: labels 0..max target.") var classLabels: String?
    @Flag(help: "Continue from MODEL_DIR/checkpoint if present.") var resume = false

    func validate() throws {
        guard layers >= 0, hidden >= 1, epochs >= 1, batchSize >= 1, splice >= 0, projection >= 0 else {
            throw ValidationError("--layers, --hidden, --epochs and --batch-size must be at least 1, --splice and --projection at least 0")
        }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard (0..<1).contains(validFraction) else { throw ValidationError("--valid-fraction must be in [0, 1)") }
    }

    func run() throws {
        do {
            let source = try FeatureSource(path: feats)
            let table = try TargetTable.read(path: targets)
            let labels: [String]
            if let classLabels {
                labels = try String(contentsOfFile: classLabels, encoding: .utf8).split(whereSeparator: \.isNewline)
                    .map { String($0.split(separator: " ").first ?? "") }.filter { !$0.isEmpty }
            } else {
                let maximum = table.values.compactMap { $0.max() }.max() ?? 0
                labels = (0...Int(maximum)).map(String.init)
            }
            var options = TrainingOptions()
            options.layers = layers
            options.hiddenUnits = hidden
            options.splice = splice
            options.projection = projection
            options.dropout = dropout
            options.epochs = epochs
            options.batchSize = batchSize
            options.learningRate = learningRate
            options.learningRateDecay = learningRateDecay
            options.clipNorm = clipNorm
            options.validationFraction = validFraction
            options.seed = seed
            let trainer = NetworkTrainer(source: source, targets: table, classLabels: labels, options: options, modelDirectory: modelDir)
            let progress = ProgressLine("training")
            trainer.onEvent = { event in
                switch event {
                case let .message(text): progress.finish(); printError("parrot nnet-train: \(text)")
                case let .progress(epoch, done, total): progress.update(done, total, note: "epoch \(epoch)")
                case let .epoch(report): progress.finish(); print(report.line)
                }
            }
            print("parrot nnet-train: OpenBLAS \(BLAS.coreName) kernels, directions of each layer on 2 threads")
            _ = try trainer.run(resume: resume)
            print("parrot nnet-train: model in \(modelDir)/final.mdl")
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("parrot nnet-train: \(error)")
            throw ExitCode(1)
        }
    }
}
