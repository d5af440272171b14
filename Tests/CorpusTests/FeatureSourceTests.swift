import Audio
import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct FeatureSourceTests {
    /// Two utterances of one speaker and one of another: with per-speaker CMVN each speaker's
    /// frames, taken together, have mean zero in every dimension (the means are worked out here
    /// from the matrices themselves).
    @Test func speakerCMVNRemovesEachSpeakersMean() throws {
        let dir = try TestSupport.temporaryDirectory()
        let features = ["a1": Matrix(rows: 2, columns: 2, values: [1, 10, 3, 20]),
                        "a2": Matrix(rows: 1, columns: 2, values: [5, 30]),
                        "b1": Matrix(rows: 2, columns: 2, values: [-4, 0, -2, 4])]
        let speakers = ["a1": "A", "a2": "A", "b1": "B"]
        try TestSupport.writeFeatureDirectory(features, speakers: speakers, to: dir)
        var a = CMVNStatistics(features: features["a1"]!)
        a.accumulate(features["a2"]!)
        try CMVNTable.write(["A": a, "B": CMVNStatistics(features: features["b1"]!)], directory: dir)

        let source = try FeatureSource(path: dir)
        #expect(source.cmvn == .speaker)
        #expect(source.keys == ["a1", "a2", "b1"])
        #expect(try source.rawFeatures("a2") == features["a2"]!)
        // Speaker A: means 3 and 20; speaker B: means -3 and 2.
        #expect(try source.normalizedFeatures("a1").values == [-2, -10, 0, 0])
        #expect(try source.normalizedFeatures("a2").values == [2, 10])
        #expect(try source.normalizedFeatures("b1").values == [-1, -2, 1, 2])
        #expect(source.speaker(of: "b1") == "B")
        // The same normalisation of features already read.
        #expect(source.normalized(features["a1"]!, of: "a1") == (try source.normalizedFeatures("a1")))
    }

    /// Each speaker's frames, taken together, have mean zero in every bin; `perBin` gives every
    /// bin variance one, `pooled` gives the bins' variances a mean of one and keeps their ratios
    /// (bin j spreads j + 1 times as wide as bin 0, for both speakers), whatever the spread as
    /// stored (speaker A's 8 times wider than B's); `none` takes only the means. All worked out
    /// here from the frames.
    @Test func varianceNormalisationPerBinOrPooled() throws {
        let dir = try TestSupport.temporaryDirectory()
        var random = SeededGenerator(seed: 3)
        func matrix(_ rows: Int, spread: Float) -> Matrix {
            var m = Matrix(rows: 0, columns: 4)
            for _ in 0..<rows { m.appendRow((0..<4).map { j in 10 * Float(j) + spread * Float(j + 1) * Float(random.gaussian()) }) }
            return m
        }
        let features = ["a1": matrix(150, spread: 2), "a2": matrix(50, spread: 2), "b1": matrix(120, spread: 0.25)]
        try TestSupport.writeFeatureDirectory(features, speakers: ["a1": "A", "a2": "A", "b1": "B"], to: dir)
        var a = CMVNStatistics(features: features["a1"]!)
        a.accumulate(features["a2"]!)
        try CMVNTable.write(["A": a, "B": CMVNStatistics(features: features["b1"]!)], directory: dir)
        /// Per-bin mean and variance of the frames of `keys` as `source` normalises them.
        func moments(_ source: FeatureSource, _ keys: [String]) throws -> [(mean: Double, variance: Double)] {
            let frames = try keys.map { try source.normalizedFeatures($0) }
            let n = Double(frames.reduce(0) { $0 + $1.rows })
            return (0..<4).map { j in
                let values = frames.flatMap { m in (0..<m.rows).map { Double(m[$0, j]) } }
                let mean = values.reduce(0, +) / n
                return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n)
            }
        }
        var source = try FeatureSource(path: dir)
        #expect(source.varianceNormalization == VarianceNormalization.none)
        let meanOnly = try moments(source, ["a1", "a2"])
        #expect(meanOnly.allSatisfy { abs($0.mean) < 1e-4 })
        #expect(meanOnly[3].variance > 50)
        source.varianceNormalization = .perBin
        for keys in [["a1", "a2"], ["b1"]] {
            for (mean, variance) in try moments(source, keys) {
                #expect(abs(mean) < 1e-4)
                #expect(abs(variance - 1) < 1e-3)
            }
        }
        source.varianceNormalization = .pooled
        for keys in [["a1", "a2"], ["b1"]] {
            let pooled = try moments(source, keys)
            #expect(pooled.allSatisfy { abs($0.mean) < 1e-4 })
            let meanVariance: Double = pooled.map(\.variance).reduce(0, +) / 4
            #expect(abs(meanVariance - 1) < 1e-3)
            // Bin 3's spread is about 4 times bin 0's (variance 16 times), as drawn.
            let ratio: Double = pooled[3].variance / pooled[0].variance
            #expect(ratio > 10 && ratio < 25, "\(ratio)")
        }
        // The same normalisation of features already read.
        #expect(source.normalized(features["b1"]!, of: "b1") == (try source.normalizedFeatures("b1")))
    }

    @Test func withoutCMVNTheFeaturesAreAsStoredAndFailuresAreExplained() throws {
        let dir = try TestSupport.temporaryDirectory()
        let m = Matrix(rows: 1, columns: 3, values: [1, 2, 3])
        try TestSupport.writeFeatureDirectory(["u": m], to: dir + "/feats")
        try TestSupport.write("gone recording is empty\n", to: dir + "/feats/failed.txt")
        let source = try FeatureSource(path: dir + "/feats/feats.scp")
        #expect(source.cmvn == .none)
        #expect(try source.normalizedFeatures("u") == m)
        #expect(source.speaker(of: "u") == "u")
        #expect(source.missingFeaturesReason("gone") == "no features: recording is empty")
        #expect(throws: (any Error).self) { try source.rawFeatures("gone") }
    }
}

@Suite struct FeatureJobOptionsTests {
    /// Features for new data made the way a model's were take its filterbank, audio and CMVN
    /// settings, never the augmented copies its training features had.
    @Test func optionsFromAModelsSettingsMakeNoAugmentedCopies() {
        var settings = FeatureSettings(cmvn: .utterance)
        settings.fbank.melBinCount = 23
        settings.audio.sampleRate = 8000
        settings.jobs = 4
        settings.speedFactors = [0.9, 1.1]
        settings.noiseSNRs = [10]
        let options = FeatureJobOptions(settings: settings)
        #expect(options.fbank.melBinCount == 23 && options.audio.sampleRate == 8000 && options.cmvn == .utterance)
        #expect(options.speedFactors == nil && options.noiseSNRs == nil && options.jobs == 1)
    }
}
