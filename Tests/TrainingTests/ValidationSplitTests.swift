import Core
import Corpus
import Foundation
import ParrotTestSupport
import Testing
@testable import Training

@Suite struct ValidationSplitTests {
    /// Four speakers of 20 utterances, each also speed-perturbed: a tenth of every speaker's
    /// utterances is held out (two each), every speaker keeps the rest in training, and the
    /// copies of a held-out utterance are used for neither.
    @Test func everySpeakerStaysInTrainingWithATenthHeldOut() throws {
        var features = [String: Matrix](), speakers = [String: String](), targets = [String: [Int32]]()
        for speaker in ["ann", "bob", "cid", "dee"] {
            for i in 0..<20 {
                for prefix in ["", "sp0.9-", "sp1.1-"] {
                    let key = "\(prefix)\(speaker)-\(i)"
                    features[key] = Matrix(rows: 3, columns: 2, values: [Float](repeating: Float(i), count: 6))
                    speakers[key] = prefix + speaker
                    targets[key] = [0, 1, 0]
                }
            }
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, speakers: speakers, to: dir + "/feats")
        var options = TrainingOptions()
        options.validationFraction = 0.1
        let trainer = NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/model")
        let (train, valid) = trainer.split(try trainer.indexFeatures().items)
        let validKeys = valid.map(\.key), trainKeys = Set(train.map(\.key))
        #expect(validKeys.count == 8)
        for speaker in ["ann", "bob", "cid", "dee"] {
            #expect(validKeys.filter { $0.hasPrefix(speaker + "-") }.count == 2, "\(speaker): \(validKeys)")
            #expect(trainKeys.filter { $0.hasPrefix(speaker + "-") }.count == 18)
        }
        for key in validKeys {
            #expect(!trainKeys.contains("sp0.9-" + key) && !trainKeys.contains("sp1.1-" + key), "a copy of \(key) is trained on")
        }
        #expect(trainKeys.count == 3 * 72)
        // The same seed holds out the same utterances.
        let again = NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/model")
        #expect(again.split(try again.indexFeatures().items).valid.map(\.key) == validKeys)
    }
}

extension ValidationSplitTests {
    /// Without utt2spk every utterance is its own speaker, too small to give a tenth: they are
    /// pooled, and a tenth of all of them is held out, not one.
    @Test func speakersTooSmallForAShareArePooled() throws {
        var features = [String: Matrix](), targets = [String: [Int32]]()
        for i in 0..<40 {
            features["u\(i)"] = Matrix(rows: 3, columns: 2, values: [Float](repeating: Float(i), count: 6))
            targets["u\(i)"] = [0, 1, 0]
        }
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.writeFeatureDirectory(features, to: dir + "/feats")
        var options = TrainingOptions()
        options.validationFraction = 0.1
        let trainer = NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/model")
        let (train, valid) = trainer.split(try trainer.indexFeatures().items)
        #expect(valid.count == 4 && train.count == 36)
        // Holding out nearly everything still leaves one utterance to train on.
        options.validationFraction = 0.99
        let most = NetworkTrainer(source: try FeatureSource(path: dir + "/feats"), targets: targets, classLabels: ["a", "b"], options: options, modelDirectory: dir + "/model")
        #expect(most.split(try most.indexFeatures().items).train.count == 1)
    }
}
