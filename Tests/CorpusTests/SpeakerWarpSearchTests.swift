import Audio
import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct SpeakerWarpSearchTests {
    /// A features directory of Parrot's filterbank (`feats.json`: 8 Mel bins at 8 kHz) with
    /// speaker CMVN: speaker A's two utterances of 300 and 200 frames, B's one of 100.
    static func directory() throws -> (String, [String: Matrix]) {
        let dir = try TestSupport.temporaryDirectory()
        var random = SeededGenerator(seed: 11)
        func matrix(_ rows: Int) -> Matrix {
            var m = Matrix(rows: 0, columns: 8)
            for _ in 0..<rows { m.appendRow((0..<8).map { Float($0) + Float(random.gaussian()) }) }
            return m
        }
        let features = ["a1": matrix(300), "a2": matrix(200), "b1": matrix(100)]
        try TestSupport.writeFeatureDirectory(features, speakers: ["a1": "A", "a2": "A", "b1": "B"], to: dir)
        var a = CMVNStatistics(features: features["a1"]!)
        a.accumulate(features["a2"]!)
        try CMVNTable.write(["A": a, "B": CMVNStatistics(features: features["b1"]!)], directory: dir)
        var settings = FeatureSettings(cmvn: .speaker)
        settings.fbank.melBinCount = 8
        settings.fbank.sampleRate = 8_000
        settings.audio.sampleRate = 8_000
        try JSONEncoder().encode(settings).write(to: URL(fileURLWithPath: dir + "/feats.json"))
        return (dir, features)
    }

    /// A warped speaker's features are its normalised features warped (`FrequencyWarp`), and
    /// the same as warping the stored features first and normalising them with the CMVN
    /// statistics of the warped frames, worked out here; other speakers are as they were.
    @Test func aSpeakersWarpIsAppliedAfterCMVNAsIfBeforeIt() throws {
        let (dir, features) = try Self.directory()
        let source = try FeatureSource(path: dir)
        #expect(source.isWarpable)
        let warped = source.warped(["A": 0.9, "B": 1])
        #expect(warped.speakerWarps == ["A": 0.9])
        let warp = FrequencyWarp(factor: 0.9, fbank: source.settings!.fbank)
        #expect(try warped.normalizedFeatures("a1") == warp.apply(to: try source.normalizedFeatures("a1")))
        #expect(try warped.normalizedFeatures("b1") == (try source.normalizedFeatures("b1")))
        // Warp first, then normalise with the warped frames' own means.
        let a1 = warp.apply(to: features["a1"]!), a2 = warp.apply(to: features["a2"]!)
        var means = [Double](repeating: 0, count: 8)
        for m in [a1, a2] { for t in 0..<m.rows { for j in 0..<8 { means[j] += Double(m[t, j]) / 500 } } }
        let mine = try warped.normalizedFeatures("a2")
        for t in 0..<a2.rows { for j in 0..<8 { #expect(abs(Double(mine[t, j]) - (Double(a2[t, j]) - means[j])) < 1e-3) } }
    }

    /// Features without `feats.json` (not Parrot's filterbank) are never warped.
    @Test func featuresOfUnknownFilterbankAreNotWarped() throws {
        let (dir, _) = try Self.directory()
        try FileManager.default.removeItem(atPath: dir + "/feats.json")
        let source = try FeatureSource(path: dir)
        #expect(!source.isWarpable)
        #expect(source.warped(["A": 0.9]).speakerWarps.isEmpty)
        #expect(try source.warped(["A": 0.9]).normalizedFeatures("a1") == (try source.normalizedFeatures("a1")))
    }

    /// Speakers with less speech than the minimum are left out; beyond the maximum, every k-th
    /// utterance is scored.
    @Test func sampleKeepsSpeakersWithEnoughSpeechSpreadOverTheirUtterances() throws {
        let (dir, _) = try Self.directory()
        let source = try FeatureSource(path: dir)
        var search = SpeakerWarpSearch()
        search.minimumFrames = 150
        #expect(search.sample(source) == ["A": ["a1", "a2"]])
        search.maximumFrames = 300   // 500 frames of A: every second utterance
        #expect(search.sample(source) == ["A": ["a1"]])
        search.minimumFrames = 100
        #expect(search.sample(source)["B"] == ["b1"])
        // Utterances longer than the longest scored are left out: A keeps a2 (200 frames, at
        // least the minimum of 150), B (100) stays under it.
        search.longestUtterance = 250
        search.minimumFrames = 150
        #expect(search.sample(source) == ["A": ["a2"]])
    }

    /// Smoothing by hand: [0.5, 0.8, 0.5] → ends (½·0.5 + ¼·0.8)/¾ = 0.6, middle ½·0.8 + ¼·0.5 + ¼·0.5
    /// = 0.65; a single factor keeps its own mean.
    @Test func smoothingWeighsNeighboursAQuarterEach() {
        let smoothed = SpeakerWarpSearch.smoothed([0.5, 0.8, 0.5])
        #expect(smoothed.count == 3)
        for (value, expected) in zip(smoothed, [0.6, 0.65, 0.6]) { #expect(abs(value - expected) < 1e-12) }
        #expect(SpeakerWarpSearch.smoothed([0.3]) == [0.3])
    }

    /// Each speaker gets the factor whose mean posterior over all its scored frames
    /// (frame-weighted across utterances, not a mean of utterance means), smoothed with its
    /// neighbours', is highest; a lone peak loses to a broad maximum, and a tie goes to the
    /// factor nearer 1. The scorer here reads the warp back from the features it is given.
    @Test func eachSpeakerGetsTheFactorItsPassIsSurestOf() throws {
        let (dir, _) = try Self.directory()
        let source = try FeatureSource(path: dir)
        var search = SpeakerWarpSearch()
        search.minimumFrames = 100
        search.factors = [0.9, 0.95, 1, 1.05, 1.1]
        let choices = try search.run(source) { warped, keys in
            #expect(Set(keys) == ["a1", "a2", "b1"])
            var scores = [String: SpeakerWarpSearch.Score]()
            for key in keys {
                let factor = warped.speakerWarps[warped.speaker(of: key)] ?? 1
                // A: a1 (300 frames) prefers 0.95, a2 (200 frames, surer) 1.05. B: a lone peak
                // at 0.9, a dip at 0.95, a plateau from 1 to 1.1.
                let posterior: Double
                switch (key, factor) {
                case ("a1", 0.95): posterior = 0.8
                case ("a2", 1.05): posterior = 0.9
                case ("b1", 0.9): posterior = 0.8125
                case ("b1", 1), ("b1", 1.05), ("b1", 1.1): posterior = 0.75
                default: posterior = 0.5
                }
                let frames = try warped.normalizedFeatures(key).rows
                scores[key] = SpeakerWarpSearch.Score(posteriors: posterior * Double(frames), frames: frames)
            }
            return scores
        }
        // A's means: 0.95 → (300·0.8 + 200·0.5)/500 = 0.68, 1.05 → (300·0.5 + 200·0.9)/500 = 0.66,
        // the others 0.5. Smoothed: 0.95 → ½·0.68 + ¼·0.5 + ¼·0.5 = 0.59, 1 → ½·0.5 + ¼·0.68 +
        // ¼·0.66 = 0.585, 1.05 → 0.58. A mean of the utterances' means (0.65 at 0.95, 0.70 at
        // 1.05) would have picked 1.05 (smoothed 0.6 against 0.575).
        #expect(choices["A"]?.factor == 0.95)
        #expect(abs((choices["A"]?.scores.first { $0.factor == 0.95 }?.mean ?? 0) - 0.68) < 1e-12)
        #expect(choices["A"]?.scores.map(\.factor) == [0.9, 0.95, 1, 1.05, 1.1])
        // B: the highest mean is 0.9's 0.8125, but smoothed it is (½·0.8125 + ¼·0.5)/¾ ≈ 0.708;
        // 1.05 (½·0.75 + ¼·0.75 + ¼·0.75) and 1.1 ((½·0.75 + ¼·0.75)/¾) tie at 0.75, and 1.05 is
        // nearer 1.
        #expect(choices["B"]?.factor == 1.05)
        #expect(choices["B"]?.scores.max { $0.mean < $1.mean }?.factor == 0.9)
    }

    /// The default grid runs from 0.88 to 1.12 in steps of 0.04, in increasing order (smoothing
    /// takes a factor's neighbours in the grid to be the factors either side of it).
    @Test func defaultGridIsIncreasingAroundOne() {
        let factors = SpeakerWarpSearch().factors
        #expect(factors.count == 7)
        for (factor, expected) in zip(factors, [0.88, 0.92, 0.96, 1, 1.04, 1.08, 1.12]) { #expect(abs(factor - expected) < 1e-12) }
    }
}
