@testable import Acoustic
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

@Suite struct ModelFileTests {
    static func model() -> AcousticModel {
        var random = SeededGenerator(seed: 4)
        let configuration = AcousticModelConfiguration(featureDimension: 5, classes: 3, layers: 2, hiddenUnits: 4, splice: 1)
        return AcousticModel(features: nil, cmvn: .speaker, inputMean: (0..<15).map { Float($0) / 7 }, inputScale: [Float](repeating: 0.5, count: 15),
                             classLabels: ["SIL", "AA", "B"], network: BiLSTMNetwork(configuration: configuration, random: &random))
    }

    @Test func roundTripGivesBitIdenticalOutputs() throws {
        let dir = try TestSupport.temporaryDirectory()
        let original = Self.model()
        try ModelFile.write(original, to: dir + "/m.mdl")
        let loaded = try ModelFile.read(path: dir + "/m.mdl")
        #expect(loaded.network.parameters == original.network.parameters)
        #expect(loaded.classLabels == original.classLabels && loaded.inputMean == original.inputMean && loaded.cmvn == .speaker)
        var random = SeededGenerator(seed: 9)
        let batch = Batch(keys: ["a"], inputs: [(0..<(7 * 15)).map { _ in Float.random(in: -1...1, using: &random) }], targets: nil, dimension: 15)
        let w1 = NetworkWorkspace(), w2 = NetworkWorkspace()
        original.network.forward(batch, workspace: w1)
        loaded.network.forward(batch, workspace: w2)
        #expect(w1.logPosteriorValues(rows: 7).map(\.bitPattern) == w2.logPosteriorValues(rows: 7).map(\.bitPattern))
    }

    @Test func truncatedForeignFutureAndDamagedFilesGiveClearErrors() throws {
        let dir = try TestSupport.temporaryDirectory()
        try ModelFile.write(Self.model(), to: dir + "/m.mdl")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/m.mdl"))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: dir + "/cut.mdl"))
        #expect { try ModelFile.read(path: dir + "/cut.mdl") } throws: { error in
            guard case AcousticModelError.truncated = error else { return false }
            return "\(error)".contains("cut.mdl")
        }
        try Data("#!/bin/sh\necho not a model\n".utf8).write(to: URL(fileURLWithPath: dir + "/foreign.mdl"))
        #expect(throws: AcousticModelError.notAModelFile(path: dir + "/foreign.mdl")) { try ModelFile.read(path: dir + "/foreign.mdl") }
        var future = [UInt8](bytes)
        future[10] = 99
        try Data(future).write(to: URL(fileURLWithPath: dir + "/future.mdl"))
        #expect(throws: AcousticModelError.unsupportedVersion(path: dir + "/future.mdl", version: 99, supported: ModelFile.formatVersion)) {
            try ModelFile.read(path: dir + "/future.mdl")
        }
        var damaged = [UInt8](bytes)
        damaged[damaged.count - 40] ^= 0x10
        try Data(damaged).write(to: URL(fileURLWithPath: dir + "/damaged.mdl"))
        #expect(throws: AcousticModelError.corrupt(path: dir + "/damaged.mdl", reason: "checksum mismatch")) { try ModelFile.read(path: dir + "/damaged.mdl") }
    }
}
