import KaldiIO
import CEspeakNG
import Foundation

/// A voice: an eSpeak NG voice name with its variant, and prosody settings.
public struct Voice: Codable, Equatable, Sendable {
    /// eSpeak voice and variant, e.g. `en-us+m3`.
    public var name: String
    /// Speaking rate in words per minute (eSpeak allows 80–450).
    public var wordsPerMinute: Int
    /// Base pitch, 0–100 (50 is eSpeak's default).
    public var pitch: Int
    /// Pitch range, 0–100 (50 is eSpeak's default).
    public var pitchRange: Int
}

/// One synthesized sentence: 16-bit samples at `sampleRate` and eSpeak's word and phoneme events.
public struct Synthesis: Sendable {
    public var samples: [Int16]
    public var sampleRate: Int
    public var events: [SynthesisEvent]
}

/// English speech from eSpeak NG with phoneme timing. This is the only file that touches libespeak-ng.
///
/// eSpeak NG keeps global state and is not thread-safe: a process has one synthesizer, used from
/// one thread (the corpus maker runs several processes to use several cores).
public final class SpeechSynthesizer {
    /// Output sample rate in Hz (22,050 for eSpeak NG's voices).
    public let sampleRate: Int

    /// Collects the callback's output during one `synthesize` call.
    private final class Collector {
        var samples: [Int16] = []
        var events: [SynthesisEvent] = []
        var wordStarts: [Int: Int] = [:]   // 1-based character position → word index
    }

    /// Initialises eSpeak NG for synchronous synthesis with phoneme events.
    /// - Throws: `SyntheticCorpusError.synthesizerUnavailable`.
    public init() throws {
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, Int32(espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT))
        guard rate > 0 else { throw SyntheticCorpusError.synthesizerUnavailable(reason: "espeak_Initialize returned \(rate)") }
        sampleRate = Int(rate)
        espeak_SetSynthCallback { wav, count, events in
            guard let events, let user = events.pointee.user_data else { return 0 }
            let collector = Unmanaged<SpeechSynthesizer.Collector>.fromOpaque(user).takeUnretainedValue()
            if let wav, count > 0 { collector.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
            var event = events
            while event.pointee.type != espeakEVENT_LIST_TERMINATED {
                let e = event.pointee
                if e.type == espeakEVENT_WORD, let index = collector.wordStarts[Int(e.text_position)] {
                    collector.events.append(.word(index: index, sample: Int(e.sample)))
                } else if e.type == espeakEVENT_PHONEME {
                    var name = e.id.string
                    let mnemonic = withUnsafeBytes(of: &name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    collector.events.append(.phoneme(mnemonic: mnemonic, sample: Int(e.sample)))
                }
                event += 1
            }
            return 0
        }
    }

    /// The voice variants eSpeak NG has (its `voices/!v` folder: `m1`, `f3`, `klatt`, `Alex`, …),
    /// sorted; names with spaces are left out (a voice name cannot hold one).
    public func variantNames() -> [String] {
        var path: UnsafePointer<CChar>?
        _ = espeak_Info(&path)
        guard let path else { return [] }
        let folder = String(cString: path) + "/voices/!v"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.contains(" ") && !$0.hasPrefix(".") }.sorted()
    }

    /// Makes `name` (e.g. `en-us`) the current voice, for `isolatedPhonemes`.
    /// - Throws: `SyntheticCorpusError.unknownVoice`.
    public func selectVoice(_ name: String) throws {
        guard espeak_SetVoiceByName(name) == EE_OK else { throw SyntheticCorpusError.unknownVoice(name) }
    }

    /// eSpeak mnemonics of `word` spoken alone in the current voice (stress marks removed).
    public func isolatedPhonemes(of word: String) -> [String] {
        word.withCString { pointer -> [String] in
            var text: UnsafeRawPointer? = UnsafeRawPointer(pointer)
            // Phoneme mode 0 (eSpeak mnemonics), separator '|' in bits 8-23.
            guard let result = espeak_TextToPhonemes(&text, Int32(espeakCHARS_UTF8), Int32(Character("|").asciiValue!) << 8) else { return [] }
            return String(cString: result).split(whereSeparator: { $0 == "|" || $0 == " " })
                .map { $0.filter { $0 != "'" && $0 != "," } }
                .filter { !$0.isEmpty }
        }
    }

    /// Speaks `words` (joined by spaces, ending with a full stop) in `voice`.
    /// - Throws: `SyntheticCorpusError.unknownVoice`, `.synthesizerUnavailable` if synthesis fails.
    public func synthesize(words: [String], voice: Voice) throws -> Synthesis {
        guard espeak_SetVoiceByName(voice.name) == EE_OK else { throw SyntheticCorpusError.unknownVoice(voice.name) }
        espeak_SetParameter(espeakRATE, Int32(voice.wordsPerMinute), 0)
        espeak_SetParameter(espeakPITCH, Int32(voice.pitch), 0)
        espeak_SetParameter(espeakRANGE, Int32(voice.pitchRange), 0)
        let collector = Collector()
        var position = 1
        for (i, word) in words.enumerated() {
            collector.wordStarts[position] = i
            position += word.utf8.count + 1
        }
        let text = words.joined(separator: " ") + "."
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        let status = text.withCString { pointer in
            espeak_Synth(pointer, text.utf8.count + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, unmanaged.toOpaque())
        }
        guard status == EE_OK, espeak_Synchronize() == EE_OK else {
            throw SyntheticCorpusError.synthesizerUnavailable(reason: "espeak_Synth failed with status \(status.rawValue)")
        }
        return Synthesis(samples: collector.samples, sampleRate: sampleRate, events: collector.events)
    }
}
