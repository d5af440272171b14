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
    /// A language eSpeak NG speaks other than American English (`de`, `es`, …): its voice speaks
    /// sentences of words drawn from `wordList`, written in eSpeak's own phonemes, and there is no
    /// flite set. Default `nil`: the English corpus in ARPAbet.
    public var language: String?
    /// The word list of `language` (one word per line). Default `nil`: Debian's (`WordList.debianLists`).
    public var wordList: String?
    /// Distinct words drawn from the word list for the corpus. Default 1,000.
    public var vocabularySize = 1000
    /// Words per sentence in another language. Default 5…12.
    public var sentenceLength = 5...12

    /// eSpeak NG's English voices that speak the English corpus, each with every variant (ten
    /// training, two test-only); with more than the default, speaker IDs are `VOICE-VARIANT`
    /// without the `en-` (`gb-x-rp-m3`). Default `["en-us"]` (speakers `m1` … `f5`).
    public var englishVoices = ["en-us"]
    /// Training sentences spoken again by flite's voices `awb` and `rms` in turn, into the
    /// training set (the first of them). Default 0: flite is heard only in `test-flite`.
    public var fliteTrainUtterances = 0
    /// The voice variants of the training speakers. Default `nil`: `CorpusPlan.trainingVariants`.
    /// The test variants (`m6`, `f5`) are left out of any list given and speak only the test sets.
    public var trainingVariants: [String]?

    /// The phones references and lexicons are written in.
    public var inventory: PhoneInventory { language == nil ? .arpabet : .espeak }

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
    /// - Throws: `SyntheticCorpusError.noWordList` or `.wordListUnusable` (another language only).
    public init(options: SyntheticCorpusOptions) throws {
        let fliteCount = options.language == nil ? options.fliteTestUtterances ?? options.testUtterances : 0
        precondition((0...options.testUtterances).contains(fliteCount), "flite test utterances must be 0…\(options.testUtterances), not \(fliteCount)")
        var random = SeededGenerator(seed: options.seed)
        var speakers = [Speaker]()
        let voices = options.language.map { [$0] } ?? options.englishVoices
        let variants = (options.trainingVariants?.filter { !CorpusPlan.testVariants.contains($0) } ?? CorpusPlan.trainingVariants) + CorpusPlan.testVariants
        for name in voices {
            for variant in variants {
                // eSpeak's numbered variants are male (m) or female (f); a named one gets pitches spanning both.
                let numbered = variant.count == 2 && variant.last!.isNumber
                let pitches = numbered ? (variant.hasPrefix("f") ? 45...70 : 30...55) : 30...70
                let voice = Voice(name: "\(name)+\(variant)", wordsPerMinute: random.integer(in: 145...190),
                                  pitch: random.integer(in: pitches), pitchRange: random.integer(in: 35...75))
                let id = voices.count == 1 ? variant : "\(name.hasPrefix("en-") ? String(name.dropFirst(3)) : name)-\(variant)"
                speakers.append(Speaker(id: id, voice: .espeak(voice), testOnly: CorpusPlan.testVariants.contains(variant)))
            }
        }
        let count = options.testUtterances + options.trainUtterances
        let sentences: [[String]]
        if let language = options.language {
            guard let path = options.wordList ?? WordList.debianLists[language]?.path else { throw SyntheticCorpusError.noWordList(language: language) }
            let vocabulary = try WordList.vocabulary(path: path, count: options.vocabularySize, using: &random)
            sentences = WordList.sentences(count: count, length: options.sentenceLength, vocabulary: vocabulary, using: &random)
        } else {
            sentences = SentenceGenerator().distinctSentences(count: count, using: &random)
        }
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
        // flite speaks English only.
        let fliteTrain = options.language == nil ? min(options.fliteTrainUtterances, options.trainUtterances) : 0
        let fliteSpeakers = options.language != nil ? [] : CorpusPlan.fliteVoices.map { Speaker(id: $0.rawValue, voice: .flite($0), testOnly: fliteTrain == 0) }
        let fliteSentences = sentences.prefix(fliteCount).map { ($0, "test-flite") }
            + sentences.dropFirst(options.testUtterances).prefix(fliteTrain).map { ($0, "train") }
        for (i, (words, set)) in fliteSentences.enumerated() {
            let speaker = fliteSpeakers[i % fliteSpeakers.count]
            let id = "\(speaker.id)-\(String(format: "%04d", i / fliteSpeakers.count + 1))"
            utterances.append(PlannedUtterance(id: id, speaker: speaker, set: set, words: words))
        }
        self.speakers = speakers + fliteSpeakers
        self.utterances = utterances
    }
}
