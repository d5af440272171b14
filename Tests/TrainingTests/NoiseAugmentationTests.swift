import Acoustic
import Audio
import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing
import Training

/// `TrainingOptions.noiseSNR` in the trainer: it changes what the network is trained on, repeats
/// exactly with the same seed, and is left out when the features are not Parrot's filterbank's.
@Suite struct NoiseAugmentationTests {
    /// Six recordings of a tone between silences, their Parrot features (with feats.json) and
    /// frame targets (1 where the tone sounds).
    static func toneCorpus() throws -> (features: String, targets: [String: [Int32]]) {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        var scp = "", spk = "", targets = [String: [Int32]]()
        for i in 0..<6 {
            let tone = WaveFile.tone(frequency: 300 + 100 * Double(i), seconds: 0.4, sampleRate: 8000, amplitude: 0.3)
            let silence = [Float](repeating: 0, count: 2400)
            let path = dir + "/u\(i).wav"
            try WaveFile.write(to: path, samples: silence + tone + silence, sampleRate: 8000)
            scp += "u\(i) \(path)\n"
            spk += "u\(i) s\(i % 2)\n"
        }
        try TestSupport.write(scp, to: dir + "/data/wav.scp")
        try TestSupport.write(spk, to: dir + "/data/utt2spk")
        var options = FeatureJobOptions()
        options.fbank.sampleRate = 8000
        options.jobs = 1
        _ = try FeatureExtractionJob(data: try DataDirectory(path: dir + "/data"), outputDirectory: dir + "/feats", options: options).run()
        let source = try FeatureSource(path: dir + "/feats")
        for key in source.keys {
            let frames = try source.rawFeatures(key).rows
            // Tone from 0.3 s to 0.7 s: frames (10 ms apart, 25 ms long) wholly inside it.
            targets[key] = (0..<frames).map { t in t >= 30 && t <= 67 ? 1 : 0 }
        }
        return (dir + "/feats", targets)
    }

    /// The same features copied to a directory of their own without feats.json, as features made
    /// elsewhere would come (the directory holding `feats/`).
    static func withoutSettings(_ parrotFeatures: String) throws -> String {
        let source = try FeatureSource(path: parrotFeatures)
        var matrices = [String: Matrix]()
        for key in source.keys { matrices[key] = try source.rawFeatures(key) }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(matrices, to: dir + "/feats")
        return dir
    }

    static func train(_ features: String, _ targets: [String: [Int32]], noise: ClosedRange<Double>?, spread: Double? = nil) throws -> [Float] {
        var options = tinyOptions(layers: 1, hiddenUnits: 4, epochs: 2, batchSize: 3, learningRate: 0.01)
        options.noiseSNR = noise
        options.spreadPerturbation = spread
        let trainer = NetworkTrainer(source: try FeatureSource(path: features), targets: targets, classLabels: ["quiet", "tone"],
                                     options: options, modelDirectory: try TestSupport.temporaryDirectory())
        return try trainer.run(resume: false).network.parameters
    }

    @Test func noiseChangesTrainingAndRepeatsWithTheSameSeed() throws {
        let (features, targets) = try Self.toneCorpus()
        #expect(try FeatureSource(path: features).settings?.fbank.sampleRate == 8000)
        let clean = try Self.train(features, targets, noise: nil)
        let noisy = try Self.train(features, targets, noise: 5...20)
        let again = try Self.train(features, targets, noise: 5...20)
        #expect(noisy == again)
        #expect(noisy != clean)
    }

    /// Features without Parrot's filterbank settings (no feats.json) cannot take the noise: the
    /// model is the one trained without it.
    @Test func featuresFromElsewhereAreTrainedWithoutNoise() throws {
        let (parrotFeatures, targets) = try Self.toneCorpus()
        let dir = try Self.withoutSettings(parrotFeatures)
        #expect(try FeatureSource(path: dir + "/feats").settings == nil)
        #expect(try Self.train(dir + "/feats", targets, noise: 5...20) == Self.train(dir + "/feats", targets, noise: nil))
    }

    /// `spreadPerturbation` changes what the network trains on and repeats with the same seed;
    /// unlike the noise it needs no filterbank settings, so features from elsewhere take it too.
    @Test func spreadChangesTrainingAndRepeatsWithTheSameSeed() throws {
        let (parrotFeatures, targets) = try Self.toneCorpus()
        let plain = try Self.train(parrotFeatures, targets, noise: nil)
        let spread = try Self.train(parrotFeatures, targets, noise: nil, spread: 0.4)
        #expect(spread == (try Self.train(parrotFeatures, targets, noise: nil, spread: 0.4)))
        #expect(spread != plain)
        let dir = try Self.withoutSettings(parrotFeatures)
        #expect(try Self.train(dir + "/feats", targets, noise: nil, spread: 0.4) != Self.train(dir + "/feats", targets, noise: nil))
    }
}
