import ArgumentParser
import Foundation
import SyntheticCorpus

@main
struct ParrotCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parrot-corpus",
        abstract: "Make Parrot's built-in corpus: English speech synthesized by eSpeak NG with reference phone times.",
        discussion: """
        Writes OUT_DIR/train and OUT_DIR/test as Kaldi data directories (wav/ at 16 kHz 16-bit mono, \
        wav.scp, text, utt2spk, spk2utt), each with lexicon.txt (every word with the ARPAbet \
        pronunciation the synthesizer used) and reference alignments phones.ctm and words.ctm \
        (UTT 1 start dur token, SIL included). Also OUT_DIR/lexicon.txt (both sets) and \
        OUT_DIR/stats.json.

        Twelve American English eSpeak voices with their own pitch and rate: ten speak the training \
        set, two speak only the test set; test sentences never occur in training. The same seed \
        gives byte-identical files.

        e.g.: parrot-corpus data/tts --train 2000 --test 200 --seed 1 --nj 2
        """
    )

    @Argument(help: "Directory to write the corpus to.")
    var outDir: String

    @Option(help: "Number of training utterances.")
    var train: Int = 2000

    @Option(help: "Number of test utterances (two voices heard only here).")
    var test: Int = 200

    @Option(help: "Seed of every random choice (sentences, voices' pitch and rate).")
    var seed: UInt64 = 1

    @Option(name: .customLong("nj"), help: "Number of synthesis processes.")
    var jobs: Int = 2

    @Option(help: .hidden) var from: Int?
    @Option(help: .hidden) var to: Int?
    @Option(help: .hidden) var worker: Int?

    func validate() throws {
        guard train >= 1, test >= 1 else { throw ValidationError("--train and --test must be at least 1") }
        guard jobs >= 1 else { throw ValidationError("--nj must be at least 1") }
    }

    func run() throws {
        var options = SyntheticCorpusOptions()
        options.trainUtterances = train
        options.testUtterances = test
        options.seed = seed
        let maker = SyntheticCorpusMaker(options: options, outputDirectory: outDir)
        do {
            if let from, let to, let worker {
                try maker.runWorker(range: from..<to, worker: worker)
                return
            }
            let started = Date()
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let statistics = try maker.make(jobs: jobs, executable: executable,
                                            workerArguments: [outDir, "--train", "\(train)", "--test", "\(test)", "--seed", "\(seed)"])
            let elapsed = Date().timeIntervalSince(started)
            for set in ["train", "test"] {
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
