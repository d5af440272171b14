import Core
import Foundation
import KaldiIO

/// Sizes and seed of the built-in corpus.
public struct SyntheticCorpusOptions: Codable, Equatable, Sendable {
    /// Training utterances (from the training voices). Default 2,000.
    public var trainUtterances = 2000
    /// Test utterances (from the two test-only voices), with sentences not in training. Default 200.
    public var testUtterances = 200
    /// Seed of every random choice: same seed, byte-identical corpus. Default 1.
    public var seed: UInt64 = 1
    /// Sample rate of the written WAV files in Hz. Default 16,000.
    public var sampleRate = 16_000
    /// Silences shorter than this (ms) are given to the following phone. Default 30.
    public var minimumSilenceMilliseconds = 30.0
    /// A run of exact-zero samples at least this long (ms) before a stop is its closure. Default 2.
    public var minimumClosureMilliseconds = 2.0
    /// Silence added before and after each sentence, drawn per utterance from this range (ms),
    /// as recordings have. Default 150…350.
    public var edgeSilenceMilliseconds: ClosedRange<Int> = 150...350
    /// RMS of the Gaussian noise floor added to the whole recording, in 16-bit units (eSpeak's own
    /// silence is digital zero). Default 4, about 60 dB below the vowels.
    public var noiseRMS = 4.0

    public init() {}
}

/// A speaker of the corpus: an eSpeak voice variant with its own pitch and rate.
public struct Speaker: Codable, Equatable, Sendable {
    /// Kaldi speaker ID, e.g. `m3`.
    public var id: String
    public var voice: Voice
    /// Heard only in the test set.
    public var testOnly: Bool
}

/// One utterance to synthesize.
public struct PlannedUtterance: Codable, Equatable, Sendable {
    /// Kaldi utterance ID, `SPEAKER-NNNN`.
    public var id: String
    public var speaker: Speaker
    /// `train` or `test`.
    public var set: String
    public var words: [String]
}

/// Everything random about the corpus, decided up front from the seed, so any worker can
/// recompute it and synthesize its share.
public struct CorpusPlan: Sendable {
    /// eSpeak NG's American English voice variants: ten for training, two only for testing.
    public static let trainingVariants = ["m1", "m2", "m3", "m4", "m5", "m7", "f1", "f2", "f3", "f4"]
    public static let testVariants = ["m6", "f5"]

    public let speakers: [Speaker]
    /// Test utterances first, then training, each block in speaker order.
    public let utterances: [PlannedUtterance]

    public init(options: SyntheticCorpusOptions) {
        var random = SeededGenerator(seed: options.seed)
        var speakers = [Speaker]()
        for variant in CorpusPlan.trainingVariants + CorpusPlan.testVariants {
            let female = variant.hasPrefix("f")
            let voice = Voice(name: "en-us+\(variant)", wordsPerMinute: random.integer(in: 145...190),
                              pitch: random.integer(in: female ? 45...70 : 30...55), pitchRange: random.integer(in: 35...75))
            speakers.append(Speaker(id: variant, voice: voice, testOnly: CorpusPlan.testVariants.contains(variant)))
        }
        let sentences = SentenceGenerator().distinctSentences(count: options.testUtterances + options.trainUtterances, using: &random)
        let trainSpeakers = speakers.filter { !$0.testOnly }
        let testSpeakers = speakers.filter { $0.testOnly }
        var utterances = [PlannedUtterance]()
        var counts = [String: Int]()
        for (i, words) in sentences.enumerated() {
            let test = i < options.testUtterances
            let pool = test ? testSpeakers : trainSpeakers
            let speaker = pool[(test ? i : i - options.testUtterances) % pool.count]
            counts[speaker.id, default: 0] += 1
            let id = "\(speaker.id)-\(String(format: "%04d", counts[speaker.id]!))"
            utterances.append(PlannedUtterance(id: id, speaker: speaker, set: test ? "test" : "train", words: words))
        }
        self.speakers = speakers
        self.utterances = utterances
    }
}
