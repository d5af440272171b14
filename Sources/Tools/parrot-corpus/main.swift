import ArgumentParser
import Foundation
import SyntheticCorpus

@main
struct ParrotCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parrot-corpus",
        abstract: "Make Parrot's built-in corpus: English speech synthesized by eSpeak NG and flite with reference phone times.",
        discussion: """
        Writes OUT_DIR/train, OUT_DIR/test and OUT_DIR/test-flite as Kaldi data directories (wav/ \
        at 16 kHz 16-bit mono, wav.scp, text, utt2spk, spk2utt), each with lexicon.txt (every word \
        with the ARPAbet pronunciation the synthesizer used) and reference alignments phones.ctm \
        and words.ctm (UTT 1 start dur token, SIL included). Also OUT_DIR/lexicon.txt (train and \
        test) and OUT_DIR/stats.json.

        Twelve American English eSpeak voices with their own pitch and rate: ten speak the training \
        set, two speak only the test set; test sentences never occur in training. test-flite has \
        the first test sentences again, spoken by flite's voices awb and rms in turn: a second \
        synthesizer that no training run hears, with its own lexicon (test-flite/lexicon.txt). The \
        same seed gives byte-identical files.

        --language LANG makes the same corpus in another language eSpeak NG speaks: its voice \
        with the same twelve variants speaks sentences of 5-12 words drawn from --vocabulary words \
        of a word list (--words FILE, one word per line; default Debian's list for de, es, fr, it, \
        pt, nl, sv, da, pl, ca, e.g. /usr/share/dict/spanish from the wspanish package). Phones are \
        eSpeak's own mnemonics plus SIL, as 'parrot lexicon --language' writes them; there is no \
        test-flite set.

        e.g.: parrot-corpus data/tts --train 2000 --test 200 --seed 1 --nj 2
              parrot-corpus data/es --language es --train 600 --test 100
        """
    )

    @Argument(help: "Directory to write the corpus to.")
    var outDir: String

    @Option(help: "Number of training utterances.")
    var train: Int = 2000

    @Option(help: "Number of test utterances (two voices heard only here).")
    var test: Int = 200

    @Option(name: .customLong("flite-test"), help: "Number of test-flite utterances (flite's voices; at most --test; 0 for none). Default: as --test.")
    var fliteTest: Int?

    @Option(help: "eSpeak NG's English voices that speak the English corpus, comma-separated, each with all twelve variants ('all': \(ParrotCorpusCommand.allEnglishVoices.joined(separator: ", "))). With more than one, speaker IDs are VOICE-VARIANT without 'en-' (gb-x-rp-m3).")
    var voices = "en-us"

    @Option(help: "Voice variants of the training speakers, comma-separated ('all': every variant eSpeak NG has, e.g. klatt, whisper, Alex; 'espeak-ng --voices=variant' lists them). m6 and f5 always speak only the test sets. Default: m1-m5, m7, f1-f4.")
    var variants: String?

    @Option(name: .customLong("flite-train"), help: "Training sentences spoken again by flite's voices awb and rms in turn, into the training set (then flite is no longer unheard in training).")
    var fliteTrain = 0

    /// Every English voice eSpeak NG 1.51 has (its MBROLA voices need separate voice data).
    static let allEnglishVoices = ["en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]

    private var englishVoices: [String] {
        voices == "all" ? Self.allEnglishVoices : voices.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Option(help: "A language eSpeak NG speaks other than American English (de, es, fr, …; 'espeak-ng --voices' lists them). Default: the English corpus in ARPAbet.")
    var language: String?

    @Option(name: .customLong("words"), help: "Word list of --language, one word per line (words with digits, symbols or inner capitals are skipped). Default: Debian's list for the language.")
    var wordList: String?

    @Option(help: "Distinct words drawn from the word list (--language only).")
    var vocabulary: Int = 1000

    @Option(help: "Seed of every random choice (sentences, voices' pitch and rate).")
    var seed: UInt64 = 1

    @Option(name: .customLong("nj"), help: "Number of synthesis processes.")
    var jobs: Int = 2

    @Option(help: .hidden) var from: Int?
    @Option(help: .hidden) var to: Int?
    @Option(help: .hidden) var worker: Int?

    func validate() throws {
        guard train >= 1, test >= 1 else { throw ValidationError("--train and --test must be at least 1") }
        if let fliteTest, !(0...test).contains(fliteTest) {
            throw ValidationError("--flite-test must be between 0 and --test (\(test)): flite speaks test sentences")
        }
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
        guard !englishVoices.isEmpty, Set(englishVoices).count == englishVoices.count else { throw ValidationError("--voices must name distinct eSpeak voices") }
        if language != nil && voices != "en-us" { throw ValidationError("--voices picks English voices; another --language speaks with its own voice") }
        guard (0...train).contains(fliteTrain), language == nil || fliteTrain == 0 else { throw ValidationError("--flite-train must be between 0 and --train, and English") }
        guard vocabulary >= 1 else { throw ValidationError("--vocabulary must be at least 1") }
        if language == nil && wordList != nil { throw ValidationError("--words needs --language (the English corpus has its own vocabulary)") }
        if language != nil && fliteTest.map({ $0 > 0 }) == true { throw ValidationError("--flite-test: flite speaks English only; another --language has no test-flite set") }
    }

    /// The language option, `nil` for American English (the built-in ARPAbet corpus).
    private var otherLanguage: String? { language.flatMap { ["en-us", "en_us"].contains($0.lowercased()) ? nil : $0 } }

    func run() throws {
        var options = SyntheticCorpusOptions()
        options.trainUtterances = train
        options.testUtterances = test
        options.fliteTestUtterances = fliteTest ?? test
        options.seed = seed
        options.language = otherLanguage
        options.wordList = wordList
        options.vocabularySize = vocabulary
        options.englishVoices = englishVoices
        options.fliteTrainUtterances = fliteTrain
        if let variants, variants != "all" { options.trainingVariants = variants.split(separator: ",").map(String.init) }
        do {
            if let from, let to, let worker {
                try SyntheticCorpusMaker(options: options, outputDirectory: outDir).runWorker(range: from..<to, worker: worker)
                return
            }
            let synthesizer = try SpeechSynthesizer()
            for voice in otherLanguage.map({ [$0] }) ?? englishVoices { try synthesizer.selectVoice(voice) }
            // The workers get the variants by name, so they need not list eSpeak's folder.
            if variants == "all" { options.trainingVariants = synthesizer.variantNames() }
            let variantList = options.trainingVariants
            for variant in variantList ?? [] { try synthesizer.selectVoice("en-us+\(variant)") }
            let maker = SyntheticCorpusMaker(options: options, outputDirectory: outDir)
            let started = Date()
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            var workerArguments = [outDir, "--train", "\(train)", "--test", "\(test)", "--flite-test", "\(fliteTest ?? (otherLanguage == nil ? test : 0))",
                                   "--seed", "\(seed)", "--vocabulary", "\(vocabulary)", "--voices", voices, "--flite-train", "\(fliteTrain)"]
            if let variantList { workerArguments += ["--variants", variantList.joined(separator: ",")] }
            if let otherLanguage { workerArguments += ["--language", otherLanguage] }
            if let wordList { workerArguments += ["--words", wordList] }
            let statistics = try maker.make(jobs: jobs, executable: executable, workerArguments: workerArguments)
            let elapsed = Date().timeIntervalSince(started)
            for set in ["train", "test", "test-flite"] {
                guard let s = statistics.sets[set] else { continue }
                print(String(format: "%@: %d utterances, %.2f hours, %d voices (%@), %d words, %d distinct, %d lexicon entries",
                             set, s.utterances, s.hours, s.speakers.count, s.speakers.joined(separator: " "), s.words, s.vocabulary, s.lexiconEntries))
            }
            let phones = statistics.phoneCounts.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("phone segments: \(phones)")
            if !statistics.mergedPhones.isEmpty {
                print("phones merged by timing repairs: " + statistics.mergedPhones.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            print(String(format: "silence/vowel mean energy: %.1f dB; made in %.1f s; see %@/stats.json", statistics.silenceToVowelEnergyDecibels, elapsed, outDir))
        } catch {
            FileHandle.standardError.write(Data("parrot-corpus: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
