import Core
import Foundation
import KaldiIO

/// Sizes and seed of the built-in corpus.
public struct SyntheticCorpusOptions: Codable, Equatable, Sendable {
    /// Training utterances (from the training voices). Default 2,000.
    public var trainUtterances = 2000
    /// Test utterances (from the two test-only voices), with sentences not in training. Default 200.
    public var testUtterances = 200
    /// Test utterances from flite's voices `awb` and `rms` (the `test-flite` set): the first
    /// sentences of the eSpeak test set, the two voices alternately; at most `testUtterances`,
    /// 0 for none. Default `nil`: as many as `testUtterances`.
    public var fliteTestUtterances: Int?
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

/// The synthesizer and voice that speak for a speaker.
public enum SpeakerVoice: Codable, Equatable, Sendable {
    /// An eSpeak NG voice variant with its own pitch and rate.
    case espeak(Voice)
    /// One of flite's voices, as flite speaks it.
    case flite(FliteVoice)
}

/// A speaker of the corpus.
public struct Speaker: Codable, Equatable, Sendable {
    /// Kaldi speaker ID, e.g. `m3`, `awb`.
    public var id: String
    public var voice: SpeakerVoice
    /// Heard only in a test set.
    public var testOnly: Bool
}

/// One utterance to synthesize.
public struct PlannedUtterance: Codable, Equatable, Sendable {
    /// Kaldi utterance ID, `SPEAKER-NNNN`.
    public var id: String
    public var speaker: Speaker
    /// `train`, `test` or `test-flite`.
    public var set: String
    public var words: [String]
}

/// Everything random about the corpus, decided up front from the seed, so any worker can
/// recompute it and synthesize its share.
public struct CorpusPlan: Sendable {
    /// eSpeak NG's American English voice variants: ten for training, two only for testing.
    public static let trainingVariants = ["m1", "m2", "m3", "m4", "m5", "m7", "f1", "f2", "f3", "f4"]
    public static let testVariants = ["m6", "f5"]

    /// flite's voices, heard only in the `test-flite` set, in turn.
    public static let fliteVoices: [FliteVoice] = [.awb, .rms]

    /// The eSpeak speakers, then the flite ones.
    public let speakers: [Speaker]
    /// Test utterances first, then training, each block in speaker order; then the `test-flite`
    /// utterances, which draw nothing from the seed, so the eSpeak sets do not depend on them.
    public let utterances: [PlannedUtterance]

    /// - Precondition: `options.fliteTestUtterances` is in `0...options.testUtterances`.
    public init(options: SyntheticCorpusOptions) {
        let fliteCount = options.fliteTestUtterances ?? options.testUtterances
        precondition((0...options.testUtterances).contains(fliteCount), "flite test utterances must be 0…\(options.testUtterances), not \(fliteCount)")
        var random = SeededGenerator(seed: options.seed)
        var speakers = [Speaker]()
        for variant in CorpusPlan.trainingVariants + CorpusPlan.testVariants {
            let female = variant.hasPrefix("f")
            let voice = Voice(name: "en-us+\(variant)", wordsPerMinute: random.integer(in: 145...190),
                              pitch: random.integer(in: female ? 45...70 : 30...55), pitchRange: random.integer(in: 35...75))
            speakers.append(Speaker(id: variant, voice: .espeak(voice), testOnly: CorpusPlan.testVariants.contains(variant)))
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
        let fliteSpeakers = CorpusPlan.fliteVoices.map { Speaker(id: $0.rawValue, voice: .flite($0), testOnly: true) }
        for (i, words) in sentences.prefix(fliteCount).enumerated() {
            let speaker = fliteSpeakers[i % fliteSpeakers.count]
            let id = "\(speaker.id)-\(String(format: "%04d", i / fliteSpeakers.count + 1))"
            utterances.append(PlannedUtterance(id: id, speaker: speaker, set: "test-flite", words: words))
        }
        self.speakers = speakers + fliteSpeakers
        self.utterances = utterances
    }
}
