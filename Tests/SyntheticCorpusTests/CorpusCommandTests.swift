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

    /// The data directories a corpus has; `test-flite` is flite's, the others eSpeak's.
    static let sets = ["train", "test", "test-flite"]

    @Test func referenceSegmentsUseTheFortyPhonesAndTileEveryFile() throws {
        let dir = try Self.corpus.get()
        for set in Self.sets {
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
                    #expect(tier.first!.token == "SIL" && tier.last!.token == "SIL", "\(utterance) does not start and end with SIL")
                }
                for phone in phones[utterance]! { #expect(EspeakPhoneTable.phoneSet.contains(phone.token), "\(utterance): \(phone.token)") }
            }
        }
        #expect(EspeakPhoneTable.phoneSet.count == 40)
    }

    @Test func wordTierMatchesTextAndEveryWordsPhonesAreALexiconPronunciation() throws {
        let dir = try Self.corpus.get()
        for set in Self.sets {
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
    @Test(arguments: ["train", "test-flite"]) func silencesAreMuchQuieterThanVowels(set: String) throws {
        let dir = try Self.corpus.get()
        var silence = (energy: 0.0, count: 0), vowel = (energy: 0.0, count: 0)
        let wavs = try TableFile(path: "\(dir)/\(set)/wav.scp").dictionary
        for (utterance, segments) in try Self.readCTM("\(dir)/\(set)/phones.ctm") {
            let samples = try SoundFile.read(path: wavs[utterance]!).interleaved
            for s in segments {
                let a = Int(s.start * 16000), b = min(samples.count, Int((s.start + s.duration) * 16000))
                let energy = samples[a..<b].reduce(0.0) { $0 + Double($1) * Double($1) }
                if s.token == "SIL" { silence.energy += energy; silence.count += b - a }
                if EspeakPhoneTable.vowels.contains(s.token) { vowel.energy += energy; vowel.count += b - a }
            }
        }
        let ratio = 10 * log10((silence.energy / Double(silence.count)) / (vowel.energy / Double(vowel.count)))
        print("\(set): silence/vowel mean energy ratio: \(String(format: "%.1f", ratio)) dB")
        #expect(ratio < -25)
    }

    @Test func fliteSetSpeaksTestSentencesWithItsOwnLexiconAndLeavesTheESpeakSetsByteIdentical() throws {
        let dir = try Self.corpus.get()
        let fliteText = try TableFile(path: "\(dir)/test-flite/text").dictionary
        #expect(fliteText.count == 8)
        #expect(Set(fliteText.values).isSubset(of: Set(try TableFile(path: "\(dir)/test/text").dictionary.values)))
        #expect(try TableFile(path: "\(dir)/test-flite/spk2utt").dictionary == ["awb": "awb-0001 awb-0002 awb-0003 awb-0004", "rms": "rms-0001 rms-0002 rms-0003 rms-0004"])
        // OUT/lexicon.txt is the eSpeak sets' alone.
        func lines(_ path: String) throws -> Set<String> { Set(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)) }
        #expect(try lines("\(dir)/lexicon.txt") == lines("\(dir)/train/lexicon.txt").union(lines("\(dir)/test/lexicon.txt")))

        let without = try TestSupport.temporaryDirectory("parrot-corpus") + "/tts"
        let run = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"),
                                      [without, "--train", "36", "--test", "8", "--flite-test", "0", "--seed", "7", "--nj", "2"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: without + "/test-flite"))
        // Every file of train/ and test/ and lexicon.txt; wav.scp names the directory, so it is compared with that replaced.
        let files = try FileManager.default.subpathsOfDirectory(atPath: without).filter { !TestSupport.isDirectory("\(without)/\($0)") && $0 != "stats.json" }
        #expect(files.count > 40)
        for file in files {
            if file.hasSuffix("wav.scp") {
                let scp = { (root: String) in try String(contentsOfFile: "\(root)/\(file)", encoding: .utf8).replacingOccurrences(of: root, with: "OUT") }
                #expect(try scp(dir) == scp(without), "\(file) differs with the flite set")
            } else {
                #expect(FileManager.default.contentsEqual(atPath: "\(dir)/\(file)", andPath: "\(without)/\(file)"), "\(file) differs with the flite set")
            }
        }
        // stats.json only gains the test-flite set.
        func statistics(_ root: String, removingFlite: Bool) throws -> String {
            var statistics = try JSONDecoder().decode(SyntheticCorpusStatistics.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/stats.json")))
            if removingFlite { #expect(statistics.sets.removeValue(forKey: "test-flite")?.speakers == ["awb", "rms"]) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(statistics), as: UTF8.self)
        }
        #expect(try statistics(dir, removingFlite: true) == statistics(without, removingFlite: false))
    }

    @Test func sameSeedGivesIdenticalFilesWhateverTheWorkerCountAndOtherSeedsDiffer() throws {
        let first = try Self.corpus.get()
        let again = try Self.makeCorpus(seed: 7, jobs: 1)
        func isTableOrSound(_ path: String) -> Bool { !path.hasSuffix("wav.scp") && !path.hasSuffix("/wav") && !Self.sets.contains(path) }
        let files = try FileManager.default.subpathsOfDirectory(atPath: first).filter(isTableOrSound).sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: again).filter(isTableOrSound).sorted()))
        #expect(files.count > 40)
        #expect(files.contains("test-flite/wav/rms-0004.wav"))
        for file in files {
            #expect(FileManager.default.contentsEqual(atPath: "\(first)/\(file)", andPath: "\(again)/\(file)"), "\(file) differs")
        }
        let other = try Self.makeCorpus(seed: 8, jobs: 2)
        let textA = try TableFile(path: "\(first)/train/text").lines.map(\.value)
        let textB = try TableFile(path: "\(other)/train/text").lines.map(\.value)
        #expect(Set(textA).intersection(textB).count < textA.count / 4)
    }
}
