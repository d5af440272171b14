import Acoustic
import Align
import ArgumentParser
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Force-align transcripts to audio: word and phone times as TextGrid, CTM, JSON and CSV.",
        discussion: """
        MODEL is a model directory (final.mdl) or file; LEXICON gives pronunciations; DATA_DIR has \
        `text` and wav.scp (features computed into OUT_DIR/feats with the model's settings) or \
        feats.scp. Writes OUT_DIR/textgrids/UTT.TextGrid (tiers words, phones; silence as empty \
        intervals), phones.ctm (SIL included), words.ctm, alignment.json, alignment.csv, ali.ark \
        (frame classes) and failed.txt (utterances that could not be aligned, and why); all other \
        utterances complete. Exit status 1 if any utterance failed.

        Times: a boundary falls between the centres of the last frame of one phone and the \
        first frame of the next (10 ms apart with the default features), where the scores of \
        the two phones cross on a straight line between their margins on those two frames, or \
        halfway when the margins do not change sign there. --frame-grid puts every boundary \
        halfway, on the frame grid, as Kaldi and MFA do.

        With a CTC model (parrot train --criterion ctc), each utterance's phones are placed by \
        the most probable CTC path through them: a phone spans the frames that emit it, the \
        blanks between two phones are split where the model's posteriors of the two say, and \
        blanks before the first phone, after the last and (with optional silence) a run between \
        two words of at least --min-pause frames and one each side are silence; these boundaries \
        stay on the frame grid.

        Adaptation (--adapt, framewise models): before the alignment that is written, the model \
        is fine-tuned on the data's own transcripts, as `parrot train --init-model` fine-tunes \
        it (rounds of training and re-alignment until under 1% of the frames change), on at \
        most half an hour of utterances of up to a minute, spread over the set; the set is then \
        aligned with the adapted model, kept in OUT_DIR/adapt. Like training, adaptation first \
        trains three frame-local classifiers on the model's alignment of the set, then \
        fine-tunes the model on theirs. It adapts the model to voices and recordings it never \
        heard (development data: another synthesizer's voice, 64.7% to 79.0% of boundaries \
        within 20 ms; new voices of the synthesizer it was trained on, 86.6% to 87.9%). On by \
        default when the set has at least a minute of such speech; it costs a fixed minute or \
        two (at most half an hour of speech is trained on). --adapt 0 never adapts (much faster \
        on small sets, and on a model's own training data it changes nothing); --adapt 1 always \
        does.

        Vocal-tract-length normalisation (--vtln, framewise models; on by default): before \
        adapting, each speaker (utt2spk) with at least 20 s of speech in utterances of up to a \
        minute is aligned with its spectrum warped by each factor from \(SpeakerWarps.range) (a formant \
        at f Hz read at factor·f; on up to two minutes of its speech), and keeps the factor \
        whose alignment the model is surest of (the mean posterior of its phones' frames, \
        averaged with the neighbouring factors' so that a lone peak does not win), as Kaldi's \
        VTLN chooses a speaker's factor from a first pass. The factors go to \
        OUT_DIR/spk2warp; adaptation and the alignment then use the warped speech. --no-vtln \
        aligns the features as they are.

        e.g.: parrot align exp/tts/model exp/tts/data/lexicon.txt exp/tts/data/test exp/tts/align_test --nj 2
        """
    )

    @Argument(help: "Model directory or file, or a named model such as english (parrot models lists them).") var model: String
    @Argument(help: "Pronunciation lexicon, or 'english': the CMU dictionary, with eSpeak NG's pronunciations for words it lacks.") var lexicon: String
    @Argument(help: "Kaldi data directory with text, or a corpus folder (recordings beside .lab/.txt/.TextGrid transcripts, a sub-folder per speaker).") var dataDir: String
    @Argument(help: "Output directory.") var outDir: String
    @OptionGroup(title: "Alignment") var alignment: AlignmentArguments
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments
    @Flag(help: "Corpus folders: name the tiers of each recording's TextGrid '<speaker> - words' and '<speaker> - phones', as MFA does.")
    var speakerTiers = false
    @Option(help: "Boundary refiner (from parrot train-refiner): moves every phone boundary to where the reference labelling it learnt from would put it. Its times replace the aligner's.")
    var refiner: String?
    @Option(help: "Flat start: how far from the quiet to the loud energy level a frame must be to count as speech (0-1).")
    var speechThreshold = SpeechRegion.defaultThreshold
    @Option(help: "Passes of adaptation to the data before aligning it, each fine-tuning the model on the data's transcripts (0: align with the model as it is). Default: 1 for a framewise model (none when the set has less than a minute of speech in utterances of up to a minute); 0 for a CTC model or with --flat-start.")
    var adapt: Int?
    @Flag(inversion: .prefixedNo, help: "Framewise models: warp each speaker's spectrum by the factor (\(SpeakerWarps.range)) the model's alignment of its transcripts is surest of, before adapting and aligning (vocal-tract-length normalisation, speakers from utt2spk with at least 20 s of speech; OUT_DIR/spk2warp). Default: on.")
    var vtln: Bool?
    @Option(name: .customLong("nj"), help: "Worker threads.") var jobs = 2
    @OptionGroup(title: "Audio (when DATA_DIR has no features)") var audio: AudioArguments
    @Flag(help: "Write the flat-start alignment (silence where quiet, phones spread uniformly) instead of the model's: the baseline training starts from.")
    var flatStart = false

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
        guard refiner == nil || !flatStart else { throw ValidationError("--refiner refines the model's alignment, not the flat start") }
        guard adapt ?? 0 >= 0 else { throw ValidationError("--adapt takes a number of passes, 0 or more") }
        guard adapt ?? 0 == 0 || !flatStart else { throw ValidationError("--flat-start writes the flat start; there is no model to --adapt") }
        guard vtln != true || !flatStart else { throw ValidationError("--flat-start writes the flat start; there is no model to search speaker warps with (--vtln)") }
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "align") {
            let modelFile = try ModelPath.resolve(model)
            let acoustic = try ModelFile.read(path: modelFile)
            let lexiconName = try LexiconName(lexicon)
            let lexiconRead = try Lexicon(path: lexiconName.path)
            let data = try corpus.resolve(dataDir, workDirectory: (outDir as NSString).appendingPathComponent("data"), command: "align")
            if vtln == true, acoustic.criterion != .framewise {
                throw ValidationError("\(modelFile) is a CTC model: --vtln applies to framewise models only")
            }
            var source = try audio.features(for: acoustic, dataDirectory: data.path, scratchDirectory: (outDir as NSString).appendingPathComponent("feats"), jobs: jobs)
            let transcripts = try TableFile.packed(path: (data.path as NSString).appendingPathComponent("text"))
            let lexiconFile = try alignment.completing(lexiconRead, named: lexiconName, transcripts: transcripts, directory: outDir, command: "align").lexicon
            Self.reportPhonesTheModelLacks(lexicon: lexiconFile, transcripts: transcripts, model: acoustic, modelName: model)
            // A warp file of an earlier run in OUT_DIR would describe features this run did not use.
            try? FileManager.default.removeItem(atPath: SpeakerWarps(command: "align", outDir: outDir).file)
            func makeAligner(_ model: AcousticModel, file: String) throws -> ForcedAligner {
                try ModelPath.aligner(model, file: file, lexicon: lexiconFile, options: alignment.options(lexicon: lexiconName),
                                      priorsRequired: alignment.priorScale != nil, command: "align")
            }
            // The model as it is searches the warps, and aligns too when adaptation leaves it so.
            var unadapted: ForcedAligner?
            if vtln ?? true, !flatStart, acoustic.criterion == .framewise {
                unadapted = try makeAligner(acoustic, file: modelFile)
                source = try normalizingSpeakers(source, aligner: unadapted!, transcripts: transcripts)
            }
            let (adapted, adaptedFile) = try adapted(acoustic, file: modelFile, lexicon: lexiconFile, named: lexiconName, source: source, transcripts: transcripts)
            let aligner = try (adaptedFile == modelFile ? unadapted : nil) ?? makeAligner(adapted, file: adaptedFile)
            var job = AlignmentJob(aligner: aligner, source: source, transcripts: transcripts)
            job.flatStart = flatStart
            job.recordings = data.folder?.recordings ?? []
            job.speakerTiers = speakerTiers
            if let refiner {
                let loaded = try BoundaryRefiner.read(path: refiner)
                guard loaded.labels == acoustic.classLabels else {
                    throw AlignError.refinerMismatch(reason: "\(refiner) was trained with another model's phone set")
                }
                job.refiner = loaded
            }
            job.speechThreshold = speechThreshold
            job.jobs = jobs
            let progress = ProgressLine("align")
            job.progress = { progress.update($0, $1) }
            FreedMemory.mapBuffersFrom(bytes: 512 << 10)   // before the workers start
            let started = Date()
            let result = try job.run(outputDirectory: outDir)
            progress.finish()
            for (key, reason) in result.failures { printError("parrot align: utterance '\(key)': \(reason)") }
            let total = result.aligned + result.failures.count
            let seconds = Date().timeIntervalSince(started)
            var summary = "Done \(result.aligned.grouped) of \(total.grouped) utterances in \(String(format: "%.1f", seconds)) s"
            if !result.failures.isEmpty { summary += "; \(result.failures.count) failed, see \(outDir)/failed.txt" }
            print(summary + data.summaryNote)
            if !result.failures.isEmpty || data.folderErrors > 0 { throw ExitCode(1) }
        }
    }

    /// `source` with each speaker's spectrum warped by the factor `aligner`'s alignment of its
    /// transcripts is surest of (the mean posterior of the phones' frames); the factors go to
    /// OUT_DIR/spk2warp.
    private func normalizingSpeakers(_ source: FeatureSource, aligner: ForcedAligner, transcripts: PackedTable) throws -> FeatureSource {
        let keys = source.keys.filter { transcripts[$0] != nil }
        return try SpeakerWarps(command: "align", outDir: outDir).normalize(source, keys: keys) { warped, keys, progress in
            var scores = [String: SpeakerWarpSearch.Score]()
            _ = try WorkerPool.runInBlocks(keys, jobs: jobs, batchSize: AcousticModel.batchSize, length: { warped.features.rows(of: $0) ?? 0 },
                                           state: NetworkWorkspace.forInference, progress: { done, _ in progress(done) }) { batch, workspace in
                aligner.align(batch, transcript: { try aligner.compiler.compile(utterance: $0, transcript: transcripts[$0] ?? "") },
                              features: warped.normalizedFeatures, workspace: workspace).map { $0.map(\.output) }
            } consume: { _, results in
                for (key, output) in results { scores[key] = SpeakerWarpSearch.Score(posteriors: output.speechPosteriors, frames: output.speechFrames) }
            }
            return scores
        }
    }

    /// `model` adapted to the data (--adapt passes), or as it is; and its file.
    private func adapted(_ model: AcousticModel, file: String, lexicon: Lexicon, named lexiconName: LexiconName, source: FeatureSource,
                         transcripts: PackedTable) throws -> (AcousticModel, String) {
        let passes = try SelfAdaptation.passes(requested: adapt, standard: flatStart ? 0 : 1, model: model, file: file)
        guard passes > 0 else { return (model, file) }
        let adaptation = SelfAdaptation(lexicon: lexicon, lexiconName: lexiconName, source: source,
                                        directory: (outDir as NSString).appendingPathComponent("adapt"), jobs: jobs)
        // The transcripts are the same in every pass.
        let all = transcripts.map { (key: $0.key, words: $0.value.split(separator: " ").map(String.init)) }
        var current = (model, file)
        // On its own transcripts a model adapts even to sets it fits (SelfAdaptation.fitting).
        try adaptation.run(model, passes: passes, explicit: adapt != nil, gated: false, command: "align", transcripts: { all },
                           adapted: { current = ($0, $1) })
        return current
    }

    /// Names, once and up front, the phones the transcripts' pronunciations use that the model
    /// lacks (a lexicon in another phone set than the model's); the utterances using them fail.
    static func reportPhonesTheModelLacks(lexicon: Lexicon, transcripts: PackedTable, model: AcousticModel, modelName: String) {
        let known = Set(model.classLabels)
        var missing = [String: Int]()   // phone → words using it
        var seen = Set<String>()
        for transcript in transcripts.values {
            for word in Lexicon.normalizedWords(transcript) where seen.insert(word).inserted {
                let phones = Set((lexicon.lookup(word) ?? []).flatMap { $0 }).subtracting(known)
                for phone in phones { missing[phone, default: 0] += 1 }
            }
        }
        guard !missing.isEmpty else { return }
        let listed = missing.keys.sorted(by: cLocaleLess).map { "\($0) (\(missing[$0]!) words)" }.joined(separator: ", ")
        let labels = model.classLabels.filter { $0 != CTC.blankLabel }.joined(separator: " ")
        printError("parrot align: the lexicon's phones \(listed) are not in the phone set of model \(modelName) (\(labels)); utterances with those words fail: map them in the lexicon, or use a model with them")
    }
}
