import Audio
import Foundation
import KaldiIO
import ParrotTestSupport
@testable import SyntheticCorpus
import Testing
import SyntheticCorpus
import Corpus
import Transcription

/// End-to-end checks of `parrot-corpus` on a small corpus.
@Suite(.serialized) struct CorpusCommandTests {
    static let corpus = Result { try makeCorpus(seed: 7, jobs: 2) }

    static func makeCorpus(seed: Int, jobs: Int) throws -> String {
        let dir = try TestSupport.temporaryDirectory("parrot-corpus") + "/tts"
        let run = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"),
                                      [dir, "--train", "36", "--test", "8", "--seed", "\(seed)", "--nj", "\(jobs)"])
        guard run.status == 0 else { throw TestFailure("parrot-corpus failed: \(run.standardError)") }
        return dir
    }

    struct CTMEntry { var utterance: String; var start: Double; var duration: Double; var token: String }

    static func readCTM(_ path: String) throws -> [String: [CTMEntry]] {
        var out = [String: [CTMEntry]]()
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 5, f[1] == "1", let start = Double(f[2]), let duration = Double(f[3]) else { throw TestFailure("\(path): bad CTM line '\(line)'") }
            out[String(f[0]), default: []].append(CTMEntry(utterance: String(f[0]), start: start, duration: duration, token: String(f[4])))
        }
        return out
    }

    @Test func referenceSegmentsUseTheFortyPhonesAndTileEveryFile() throws {
        let dir = try Self.corpus.get()
        for set in ["train", "test"] {
            let wavs = try TableFile(path: "\(dir)/\(set)/wav.scp").dictionary
            let phones = try Self.readCTM("\(dir)/\(set)/phones.ctm")
            let words = try Self.readCTM("\(dir)/\(set)/words.ctm")
            #expect(Set(phones.keys) == Set(wavs.keys))
            for (utterance, path) in wavs {
                let audio = try SoundFile.read(path: path)
                #expect(audio.sampleRate == 16000 && audio.channels == 1)
                let duration = Double(audio.frameCount) / 16000
                for tier in [phones[utterance]!, words[utterance]!] {
                    #expect(abs(tier[0].start) <= 0.001)
                    for (a, b) in zip(tier, tier.dropFirst()) {
                        #expect(abs(a.start + a.duration - b.start) <= 0.001, "\(utterance): gap or overlap at \(b.start)")
                        #expect(a.duration > 0)
                    }
                    #expect(abs(tier.last!.start + tier.last!.duration - duration) <= 0.001, "\(utterance) does not end at \(duration)")
                }
                for phone in phones[utterance]! { #expect(EspeakPhoneTable.phoneSet.contains(phone.token), "\(utterance): \(phone.token)") }
            }
        }
        #expect(EspeakPhoneTable.phoneSet.count == 40)
    }

    @Test func wordTierMatchesTextAndEveryWordsPhonesAreALexiconPronunciation() throws {
        let dir = try Self.corpus.get()
        for set in ["train", "test"] {
            let text = try TableFile(path: "\(dir)/\(set)/text").dictionary
            let phones = try Self.readCTM("\(dir)/\(set)/phones.ctm")
            let words = try Self.readCTM("\(dir)/\(set)/words.ctm")
            var lexicon = [String: Set<String>]()
            for line in try String(contentsOfFile: "\(dir)/\(set)/lexicon.txt", encoding: .utf8).split(separator: "\n") {
                let f = line.split(separator: " ", maxSplits: 1).map(String.init)
                lexicon[f[0], default: []].insert(f[1])
            }
            for (utterance, transcript) in text {
                let tier = words[utterance]!
                #expect(tier.filter { $0.token != "SIL" }.map(\.token).joined(separator: " ") == transcript)
                for word in tier where word.token != "SIL" {
                    let inside = phones[utterance]!.filter { $0.start >= word.start - 0.0005 && $0.start + $0.duration <= word.start + word.duration + 0.0005 }
                    let pronunciation = inside.map(\.token).joined(separator: " ")
                    #expect(lexicon[word.token]?.contains(pronunciation) == true, "\(utterance) \(word.token): '\(pronunciation)' not in lexicon")
                }
            }
        }
    }

    /// Silence must be far quieter than vowels; computed here from the WAV files and the CTM.
    @Test func silencesAreMuchQuieterThanVowels() throws {
        let dir = try Self.corpus.get()
        var silence = (energy: 0.0, count: 0), vowel = (energy: 0.0, count: 0)
        let wavs = try TableFile(path: "\(dir)/train/wav.scp").dictionary
        for (utterance, segments) in try Self.readCTM("\(dir)/train/phones.ctm") {
            let samples = try SoundFile.read(path: wavs[utterance]!).interleaved
            for s in segments {
                let a = Int(s.start * 16000), b = min(samples.count, Int((s.start + s.duration) * 16000))
                let energy = samples[a..<b].reduce(0.0) { $0 + Double($1) * Double($1) }
                if s.token == "SIL" { silence.energy += energy; silence.count += b - a }
                if EspeakPhoneTable.vowels.contains(s.token) { vowel.energy += energy; vowel.count += b - a }
            }
        }
        let ratio = 10 * log10((silence.energy / Double(silence.count)) / (vowel.energy / Double(vowel.count)))
        print("silence/vowel mean energy ratio: \(String(format: "%.1f", ratio)) dB")
        #expect(ratio < -25)
    }

    @Test func sameSeedGivesIdenticalFilesWhateverTheWorkerCountAndOtherSeedsDiffer() throws {
        let first = try Self.corpus.get()
        let again = try Self.makeCorpus(seed: 7, jobs: 1)
        let files = try FileManager.default.subpathsOfDirectory(atPath: first).filter { !$0.hasSuffix("wav.scp") && !$0.hasSuffix("/wav") && $0 != "train" && $0 != "test" }.sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: again).filter { !$0.hasSuffix("wav.scp") && !$0.hasSuffix("/wav") && $0 != "train" && $0 != "test" }.sorted()))
        #expect(files.count > 40)
        for file in files {
            #expect(FileManager.default.contentsEqual(atPath: "\(first)/\(file)", andPath: "\(again)/\(file)"), "\(file) differs")
        }
        let other = try Self.makeCorpus(seed: 8, jobs: 2)
        let textA = try TableFile(path: "\(first)/train/text").lines.map(\.value)
        let textB = try TableFile(path: "\(other)/train/text").lines.map(\.value)
        #expect(Set(textA).intersection(textB).count < textA.count / 4)
    }
}
