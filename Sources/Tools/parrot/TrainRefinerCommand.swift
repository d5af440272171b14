import Acoustic
import Align
import ArgumentParser
import Core
import Corpus
import Foundation
import KaldiIO
import Training
import Transcription

struct TrainRefinerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-refiner",
        abstract: "Learn where a reference labelling puts phone boundaries, from utterances with reference times.",
        discussion: """
        Aligns DATA_DIR with MODEL as `parrot align` does, matches every phone boundary to the \
        reference one in REFERENCE (a CTM of phones, silence as SIL, e.g. hand-corrected \
        alignments or the built-in corpus's synthesizer times), and trains a small network that \
        predicts, from the features around a boundary and the two phones, how far the reference \
        boundary lies. `parrot align --refiner OUT` then moves every boundary accordingly. \
        Utterances without reference phones are left out; a share of the rest (--held-out) is \
        kept apart to measure the refiner: the summary gives their boundary accuracy without and \
        with it.

        e.g.: parrot train-refiner exp/tts/model exp/tts/data/lexicon.txt exp/tts/feats/train exp/tts/data/train/phones.ctm exp/tts/model/boundaries.refiner
        """
    )

    @Argument(help: "Model directory or file, or a named model such as english (parrot models lists them).") var model: String
    @Argument(help: "Pronunciation lexicon, or 'english': the CMU dictionary, with eSpeak NG's pronunciations for words it lacks.") var lexicon: String
    @Argument(help: "Kaldi data directory with text (and wav.scp or feats.scp), or a corpus folder (the reference CTM then names the folder's utterance IDs, SPEAKER-NAME).") var dataDir: String
    @Argument(help: "Reference phone times (CTM: UTT channel start duration phone).") var reference: String
    @Argument(help: "Refiner file to write.") var out: String
    @OptionGroup(title: "Alignment (as for align)") var alignment: AlignmentArguments
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments
    @Option(help: "Frames on each side of a boundary the refiner sees.") var context = 4
    @Option(help: "Hidden units of the refiner.") var hidden = 128
    @Option(help: "Largest offset it predicts, in milliseconds.") var maxOffset = 60.0
    @Option(help: "Passes over the boundaries.") var epochs = 30
    @Option(help: "Share of the utterances kept apart to measure the refiner (0 to use all).") var heldOut = 0.1
    @Option(help: "Seed of the initial weights, the order of examples and the held-out utterances.") var seed: UInt64 = 1
    @Option(name: .customLong("nj"), help: "Worker threads for alignment.") var jobs = 2
    @OptionGroup(title: "Audio (when DATA_DIR has no features)") var audio: AudioArguments

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        guard jobs >= 1, context >= 1, hidden >= 1, epochs >= 1 else {
            throw ValidationError("--nj, --context, --hidden and --epochs must be at least 1")
        }
        guard maxOffset >= 5 else { throw ValidationError("--max-offset must be at least 5 (ms)") }
        guard (0..<1).contains(heldOut) else { throw ValidationError("--held-out must be at least 0 and below 1") }
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "train-refiner") {
            let modelFile = try ModelPath.resolve(model)
            let acoustic = try ModelFile.read(path: modelFile)
            // Work files go beside the refiner file.
            let besideOut = (out as NSString).deletingLastPathComponent.isEmpty ? "." : (out as NSString).deletingLastPathComponent
            let data = try corpus.resolve(dataDir, workDirectory: (besideOut as NSString).appendingPathComponent("refiner-data"), command: "train-refiner")
            let source = try audio.features(for: acoustic, dataDirectory: data.path,
                                            scratchDirectory: (besideOut as NSString).appendingPathComponent("refiner-feats"), jobs: jobs)
            let transcripts = try TableFile.packed(path: (data.path as NSString).appendingPathComponent("text"))
            let references = try CTMEntry.read(path: reference)
            let lexiconName = try LexiconName(lexicon)
            let lexiconFile = try alignment.completing(try Lexicon(path: lexiconName.path), named: lexiconName, transcripts: transcripts,
                                                       directory: besideOut, command: "train-refiner").lexicon
            let aligner = try ModelPath.aligner(acoustic, file: modelFile, lexicon: lexiconFile, options: alignment.options(lexicon: lexiconName),
                                                  priorsRequired: alignment.priorScale != nil, command: "train-refiner")

            let keys = source.keys.filter { references[$0] != nil && transcripts[$0] != nil }.sorted(by: cLocaleLess)
            guard !keys.isEmpty else { throw AlignError.noReferenceBoundaries(reason: "no utterance of \(dataDir) has both a transcript and reference phones in \(reference)") }
            var random = SeededGenerator(seed: seed)
            let heldOutKeys = Set(keys.shuffled(using: &random).prefix(keys.count > 1 ? Int(Double(keys.count) * heldOut) : 0))

            var options = BoundaryRefinerOptions()
            options.context = context
            options.hiddenUnits = hidden
            options.maximumOffsetMilliseconds = maxOffset
            options.epochs = epochs
            options.seed = seed
            let job = AlignmentJob(aligner: aligner, source: source, transcripts: transcripts)
            let writer = job.writer
            let progress = ProgressLine("align")
            let aligned = WorkerPool.run(keys, jobs: jobs, batchSize: job.batchSize, state: NetworkWorkspace.forInference, progress: { progress.update($0, $1) }) {
                job.alignments($0, workspace: $1)
            }
            progress.finish()
            for (key, reason) in aligned.failures { printError("parrot train-refiner: utterance '\(key)': \(reason)") }
            guard let dimension = aligned.results.values.first?.features.columns else {
                throw AlignError.noReferenceBoundaries(reason: "no utterance could be aligned")
            }
            var trainer = BoundaryRefinerTrainer(labels: acoustic.classLabels, featureDimension: dimension, options: options)
            for key in keys where !heldOutKeys.contains(key) {
                guard let (alignment, features) = aligned.results[key] else { continue }
                trainer.add(try trainer.examples(alignment, reference: references[key]!, features: features, writer: writer))
            }
            print("\(trainer.count.grouped) boundaries of \((keys.count - heldOutKeys.count).grouped) utterances to learn from; \(heldOutKeys.count) utterances held out")
            let refiner = try trainer.train { epoch, loss in
                if epoch == 1 || epoch % 5 == 0 || epoch == epochs { print(String(format: "epoch %d: cross-entropy %.4f", epoch, loss)) }
            }
            try refiner.write(to: out)

            if !heldOutKeys.isEmpty {
                var before = [String: [CTMEntry]](), after = [String: [CTMEntry]]()
                for key in heldOutKeys {
                    guard let result = aligned.results[key] else { continue }
                    var alignment = result.alignment
                    before[key] = writer.ctmEntries(key, alignment.phones, refined: writer.boundaryTimes(alignment))
                    try refiner.refine(&alignment, features: result.features, writer: writer)
                    after[key] = writer.ctmEntries(key, alignment.phones, refined: writer.boundaryTimes(alignment))
                }
                let held = references.filter { heldOutKeys.contains($0.key) }
                for (name, hypothesis) in [("without the refiner", before), ("with the refiner", after)] {
                    let evaluation = BoundaryEvaluation(reference: held, hypothesis: hypothesis)
                    print(String(format: "held-out %d utterances, %@: %.2f%% of %d boundaries within 20 ms, mean error %.1f ms",
                                 hypothesis.count, name, 100 * evaluation.within(0.020), evaluation.boundaries, 1000 * evaluation.mean))
                }
            }
            var summary = "Wrote \(out) (trained on \(trainer.count.grouped) boundaries)"
            if !aligned.failures.isEmpty { summary += "; \(aligned.failures.count) of \(keys.count) utterances could not be aligned" }
            print(summary)
            if !aligned.failures.isEmpty { throw ExitCode(1) }
        }
    }
}
