import Acoustic
import Align
import ArgumentParser
import Audio
import Core
import Corpus
import Decode
import Foundation
import KaldiIO
import Transcription

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode phones or words in batch: greedy merging, or Viterbi beam search over a lexicon.",
        discussion: """
        MODEL is a model directory (final.mdl) or file. DATA_DIR has wav.scp (features computed \
        into OUT_DIR/feats with the model's settings) or feats.scp.

        --mode greedy: the most probable phone of every frame, runs merged, silence dropped; a \
        phone's time is its run and its confidence the mean posterior over the run. With \
        --phone-lm FILE.arpa (parrot train writes MODEL_DIR/phones.arpa, a phone bigram of its \
        final alignments), phones are instead found by Viterbi search with that model.

        --mode lexicon: Viterbi beam search over a prefix tree of --lexicon's pronunciations in a \
        word loop, optional silence between words, each phone lasting at least --min-duration \
        frames. --grammar restricts the output to a sentence list or a JSGF-like grammar (e.g. \
        `public <digit> = one | two | three;` for exactly one word); --lm applies an ARPA \
        back-off n-gram model (up to trigrams) weighted by --lm-weight. Words the grammar or \
        model never allows are left out of the search.

        A CTC model (parrot train --criterion ctc) is decoded the same ways: greedy merging drops \
        its blank (a blank between two runs of a phone keeps them two phones); with --phone-lm or \
        --mode lexicon, a prefix beam search keeps --ctc-beam phone prefixes per frame, each with \
        the probability of the frame paths that read as it, scored by the phone bigram, grammar \
        or n-gram (--lm-weight 0.5 and --word-insertion-penalty -2 unless given); times come \
        from the CTC alignment of the result. --prior-scale and --drop-quiet-words are refused.

        In a word loop (lexicon mode without --grammar) a framewise model's words far quieter \
        than the rest of their utterance are dropped: those whose loudest frame is more than \
        --drop-quiet-words DB (20) below the loudest word's, from the features' filterbank \
        energy. They are background speech, or the tail of a previous take; 0 keeps every word.

        Self-adaptation (--adapt, lexicon mode, framewise models): the model is fine-tuned on the \
        data's own hypotheses, as `parrot train --init-model` fine-tunes it on a transcribed corpus \
        (on at most half an hour of them, spread over the set), and the data is decoded again; \
        twice by default, when the set has at least a minute of speech in utterances of up to a \
        minute and the model does not already fit it (its alignment of its first-pass hypotheses \
        averages below -0.1 log-posterior per frame; otherwise the first pass is kept). It adapts \
        the model to the speakers and recording at hand (FSDD's unseen speakers: 78.2% to 81.4% \
        of the digits correct on average). The adapted models stay in OUT_DIR/adapt; --adapt 0 \
        decodes once; --adapt N always runs N passes.

        Vocal-tract-length normalisation (--vtln, lexicon mode, framewise models; on by \
        default): before decoding, each speaker (utt2spk) with at least 20 s of speech in \
        utterances of up to a minute is decoded once with its spectrum warped by each factor \
        from \(SpeakerWarps.range) (a formant at f Hz read at factor·f; on up to two minutes of its \
        speech), and keeps the factor whose hypotheses the network is surest of (the mean \
        posterior of their phones' frames, averaged with the neighbouring factors' so that a \
        lone peak does not win). Kaldi's VTLN chooses a speaker's factor from a first pass in \
        the same way. The factors go to \
        OUT_DIR/spk2warp; self-adaptation then fine-tunes on the warped speech. --no-vtln \
        decodes the features as they are.

        Writes OUT_DIR/text (hypotheses, for parrot score), phones.ctm and (lexicon mode) \
        words.ctm with start, duration and confidence, decode.json, and failed.txt (utterances \
        that could not be decoded, and why); all others complete. Exit status 1 if any failed.

        e.g.: parrot decode exp/yesno/model data/test exp/yesno/decode --mode lexicon --lexicon data/lexicon.txt --grammar conf/yesno.jsgf
        """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case greedy, lexicon }

    @Argument(help: "Model directory or file, or a named model such as english (parrot models lists them).") var model: String
    @Argument(help: "Kaldi data directory (wav.scp or feats.scp), or a corpus folder (recordings, a sub-folder per speaker; transcripts, if any, are not needed).") var dataDir: String
    @Argument(help: "Output directory.") var outDir: String
    @Option(help: "greedy (phones, no lexicon) or lexicon (words).") var mode: Mode = .greedy
    @Option(help: "Greedy mode: phone n-gram (ARPA) to search phones with instead of merging frame winners.") var phoneLm: String?
    @Option(help: "Lexicon mode: pronunciation lexicon (CMU, Kaldi or MFA style), or 'english' for the CMU dictionary.") var lexicon: String?
    @Option(help: "Lexicon mode: allowed word sequences (one per line) or a JSGF-like grammar.") var grammar: String?
    @Option(help: "Lexicon mode: ARPA back-off n-gram language model (up to trigrams).") var lm: String?
    @OptionGroup(title: "Search") var decoding: DecodingArguments
    @OptionGroup(title: "Corpus folders") var corpus: CorpusArguments
    @Option(help: "Lexicon mode: words of --grammar or --lm missing from the lexicon: skip (never output) or g2p (pronounced by eSpeak NG, listed in OUT_DIR/g2p.txt). Default: g2p with --lexicon english, else skip.")
    var oov: OOVMode?
    @Option(help: "Lexicon mode: passes of self-adaptation, each fine-tuning the model on the previous pass's hypotheses and decoding again (0: decode once). Default: 2 for a framewise model (none when the model already fits the set or the set has less than a minute of speech), 0 for a CTC model.")
    var adapt: Int?
    @Flag(inversion: .prefixedNo, help: "Lexicon mode, framewise models: warp each speaker's spectrum by the factor (\(SpeakerWarps.range)) its first pass is surest of before decoding (vocal-tract-length normalisation, speakers from utt2spk with at least 20 s of speech; OUT_DIR/spk2warp). Default: on in lexicon mode.")
    var vtln: Bool?
    @Option(name: .customLong("nj"), help: "Worker threads.") var jobs = 2
    @OptionGroup(title: "Audio (when DATA_DIR has no features)") var audio: AudioArguments

    @OptionGroup(title: "Arithmetic") var arithmetic: PrecisionArguments

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
        guard adapt ?? 0 >= 0 else { throw ValidationError("--adapt takes a number of passes, 0 or more") }
        guard adapt ?? 0 == 0 || mode == .lexicon else { throw ValidationError("--adapt needs --mode lexicon (it fine-tunes on words)") }
        guard vtln != true || mode == .lexicon else { throw ValidationError("--vtln needs --mode lexicon") }
        switch mode {
        case .greedy:
            guard lexicon == nil, grammar == nil, lm == nil, oov == nil, decoding.dropQuietWords == nil else { throw ValidationError("--lexicon, --grammar, --lm, --oov and --drop-quiet-words need --mode lexicon") }
        case .lexicon:
            guard lexicon != nil else { throw ValidationError("--mode lexicon needs --lexicon") }
            guard grammar == nil || lm == nil else { throw ValidationError("give --grammar or --lm, not both") }
            guard phoneLm == nil else { throw ValidationError("--phone-lm is for --mode greedy; use --lm with --mode lexicon") }
            guard oov != .spn else { throw ValidationError("decode's --oov is skip or g2p") }
        }
    }

    func run() throws {
        arithmetic.apply()
        try exitStatus(of: "decode") {
            let modelFile = try ModelPath.resolve(model)
            let acoustic = try ModelFile.read(path: modelFile)
            // Refused before anything is decoded: --adapt or --vtln with a CTC model.
            let passes = try SelfAdaptation.passes(requested: adapt, standard: 2, model: acoustic, file: modelFile)
            if vtln == true, acoustic.criterion != .framewise {
                throw ValidationError("\(modelFile) is a CTC model: --vtln applies to framewise models only")
            }
            let (recognizer, searchLexicon) = try makeRecognizer(acoustic, modelFile: modelFile)
            let data = try corpus.resolve(dataDir, workDirectory: (outDir as NSString).appendingPathComponent("data"), command: "decode", requireTranscripts: false)
            var source = try audio.features(for: acoustic, dataDirectory: data.path, scratchDirectory: (outDir as NSString).appendingPathComponent("feats"), jobs: jobs)
            let started = Date()
            // A warp file of an earlier run in OUT_DIR would describe features this run did not use.
            try? FileManager.default.removeItem(atPath: SpeakerWarps(command: "decode", outDir: outDir).file)
            if vtln ?? (mode == .lexicon), acoustic.criterion == .framewise {
                source = try normalizingSpeakers(source, recognizer: recognizer)
            }
            var (summary, job) = try decode(with: recognizer, source: source)
            // Self-adaptation: fine-tune on this pass's hypotheses, then decode again.
            if let searchLexicon, passes > 0 {
                let adaptation = SelfAdaptation(lexicon: searchLexicon, lexiconName: try LexiconName(lexicon!), source: source,
                                                directory: (outDir as NSString).appendingPathComponent("adapt"), jobs: jobs)
                var current = recognizer
                try adaptation.run(acoustic, passes: passes, explicit: adapt != nil, gated: true, command: "decode",
                                   transcripts: { try SelfAdaptation.transcripts(path: (outDir as NSString).appendingPathComponent("text")) },
                                   adapted: { model, file in
                    current.model = model
                    if current.logPriors != nil { current.logPriors = try ModelPath.logPriors(besides: file, labels: model.classLabels) }
                    (summary, job) = try decode(with: current, source: source)
                })
            }
            for (key, reason) in summary.failures { printError("parrot decode: utterance '\(key)': \(reason)") }
            let seconds = Date().timeIntervalSince(started)
            let audio = Double(summary.frames) * job.frameShift
            let total = summary.decoded + summary.failures.count
            var line = "Done \(summary.decoded.grouped) of \(total.grouped) utterances in \(String(format: "%.1f", seconds)) s"
            if seconds > 0 && audio > 0 { line += " (\(Int(audio / seconds))× real time)" }
            if !summary.failures.isEmpty { line += "; \(summary.failures.count) failed, see \(outDir)/failed.txt" }
            print(line + data.summaryNote)
            if !summary.failures.isEmpty || data.folderErrors > 0 { throw ExitCode(1) }
        }
    }

    /// Decodes every utterance of `source` into OUT_DIR, with a progress line.
    private func decode(with recognizer: Recognizer, source: FeatureSource) throws -> (DecodeJob.Summary, DecodeJob) {
        var job = DecodeJob(recognizer: recognizer, source: source)
        job.jobs = jobs
        job.times = AlignmentWriter(fbank: recognizer.model.features?.fbank ?? FbankOptions())
        let progress = ProgressLine("decode")
        job.progress = { progress.update($0, $1) }
        let summary = try job.run(outputDirectory: outDir)
        progress.finish()
        return (summary, job)
    }

    /// `source` with each speaker's spectrum warped by the factor the recognizer's first pass is
    /// surest of (the mean posterior of its hypotheses' phones); the factors go to OUT_DIR/spk2warp.
    private func normalizingSpeakers(_ source: FeatureSource, recognizer: Recognizer) throws -> FeatureSource {
        try SpeakerWarps(command: "decode", outDir: outDir).normalize(source) { warped, keys, progress in
            var job = DecodeJob(recognizer: recognizer, source: warped)
            job.jobs = jobs
            var scores = [String: SpeakerWarpSearch.Score]()
            _ = try job.recognize(keys, progress: { done, _ in progress(done) }) { key, recognition in
                let phones = recognition.phones
                scores[key] = SpeakerWarpSearch.Score(posteriors: phones.reduce(0) { $0 + Double($1.confidence) * Double($1.end - $1.start) },
                                                      frames: phones.reduce(0) { $0 + $1.end - $1.start })
            }
            return scores
        }
    }

    /// The recognizer for `acoustic`, and in lexicon mode the lexicon its search uses.
    private func makeRecognizer(_ acoustic: AcousticModel, modelFile: String) throws -> (Recognizer, Lexicon?) {
        let labels = acoustic.classLabels
        guard let silence = labels.firstIndex(of: Lexicon.silence) else {
            throw ValidationError("the model has no \(Lexicon.silence) class; decoding needs one")
        }
        let decodingOptions = decoding.options(for: acoustic.criterion, grammar: grammar != nil, words: mode == .lexicon)
        let options = decodingOptions.search
        if acoustic.criterion == .ctc, decoding.dropQuietWords ?? 0 > 0 || decoding.priorScale != 0 {
            throw ValidationError("\(modelFile) is a CTC model: --drop-quiet-words and --prior-scale apply to framewise models only")
        }
        // A CTC model's outputs are searched for prefixes (CTCPrefixSearch), a framewise model's frame by frame.
        func searchMode(_ tree: LexiconTree, _ model: WordSequenceModel, phoneOutput: Bool) -> Recognizer.Mode {
            guard let blank = acoustic.blank else {
                return .search(BeamSearchDecoder(tree: tree, model: model, silence: silence, options: options), phoneOutput: phoneOutput)
            }
            var search = CTCPrefixSearch(tree: tree, model: model, blank: blank, options: options)
            search.acousticScale = decodingOptions.acousticScale
            search.beamWidth = decoding.ctcBeam
            return .ctcSearch(search, phoneOutput: phoneOutput)
        }
        let recognizerMode: Recognizer.Mode
        var searchLexicon: Lexicon?
        switch mode {
        case .greedy:
            guard let phoneLm else { recognizerMode = .greedy; break }
            let phoneModel = try ArpaLanguageModel(path: phoneLm)
            let phones = labels.filter { $0 != Lexicon.silence && $0 != Lexicon.spokenNoise && $0 != CTC.blankLabel }
            let phoneLexicon = Lexicon(entries: phones.map { (word: $0, phones: [$0]) })
            let tree = try LexiconTree(lexicon: phoneLexicon, phoneSet: labels, model: phoneModel)
            recognizerMode = searchMode(tree, phoneModel, phoneOutput: true)
        case .lexicon:
            let lexiconName = try LexiconName(lexicon!)
            var lexiconFile = try Lexicon(path: lexiconName.path)
            let wordModel: WordSequenceModel
            var vocabulary: (words: [String], source: String)?
            if let grammar {
                let model = try WordGrammar(path: grammar)
                (wordModel, vocabulary) = (model, (model.words, grammar))
            } else if let lm {
                let model = try ArpaLanguageModel(path: lm)
                (wordModel, vocabulary) = (model, (model.words, lm))
            } else { wordModel = WordLoop() }
            // --oov g2p: the grammar's or language model's words the lexicon lacks, pronounced.
            if (oov ?? (lexiconName.isBuiltIn ? .g2p : .skip)) == .g2p, let vocabulary {
                lexiconFile = try PronunciationFallback.complete(lexiconFile, vocabulary: vocabulary.words, source: vocabulary.source, directory: outDir, command: "decode").lexicon
            }
            let tree = try LexiconTree(lexicon: lexiconFile, phoneSet: labels, model: wordModel)
            let missingPhones = tree.skipped.filter { $0.reason.hasPrefix("phone") }
            if !missingPhones.isEmpty {
                printError("parrot decode: \(missingPhones.count) pronunciations left out: phones the model lacks (first: \(missingPhones[0].word): \(missingPhones[0].reason))")
            }
            if let grammar = wordModel as? WordGrammar {
                let unknown = grammar.words.filter { lexiconFile.lookup($0) == nil }
                if !unknown.isEmpty { printError("parrot decode: grammar words not in the lexicon, never output: \(unknown.joined(separator: " "))") }
            }
            recognizerMode = searchMode(tree, wordModel, phoneOutput: false)
            searchLexicon = lexiconFile
        }
        // A CTC model's posteriors are searched as they are: its blank is no class with a prior.
        let logPriors = decodingOptions.priorScale != 0 && acoustic.criterion == .framewise ? try ModelPath.logPriors(besides: modelFile, labels: labels) : nil
        return (Recognizer(model: acoustic, mode: recognizerMode, options: decodingOptions, logPriors: logPriors), searchLexicon)
    }
}
