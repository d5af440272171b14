@testable import Acoustic
import Acoustic
import Audio
import Core
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

    /// A model records how its features' variance was normalised; a model that leaves it as it
    /// is writes no such field, so its file is what it was before the field existed.
    @Test func varianceNormalisationIsRecordedAndOnlyWhenOn() throws {
        let dir = try TestSupport.temporaryDirectory()
        var model = Self.model()
        try ModelFile.write(model, to: dir + "/plain.mdl")
        #expect(try ModelFile.read(path: dir + "/plain.mdl").varianceNormalization == VarianceNormalization.none)
        let plain = try String(decoding: Data(contentsOf: URL(fileURLWithPath: dir + "/plain.mdl")).prefix(4_000), as: UTF8.self)
        #expect(!plain.contains("varianceNormalization"))
        for kind in [VarianceNormalization.perBin, .pooled] {
            model.varianceNormalization = kind
            try ModelFile.write(model, to: dir + "/vars.mdl")
            #expect(try ModelFile.read(path: dir + "/vars.mdl").varianceNormalization == kind)
        }
    }

    /// fuzz-model finding: a header length of 2^64 − 128 trapped converting to Int. Sizes from the
    /// file (header length, weight count, network shape) are now checked before any arithmetic.
    @Test func implausibleSizesInTheFileAreErrorsNotTraps() throws {
        let dir = try TestSupport.temporaryDirectory()
        try ModelFile.write(Self.model(), to: dir + "/m.mdl")
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/m.mdl")))
        func attempt(_ bytes: [UInt8]) -> String {
            try? Data(bytes).write(to: URL(fileURLWithPath: dir + "/bad.mdl"))
            do { _ = try ModelFile.read(path: dir + "/bad.mdl"); return "accepted" } catch { return "\(error)" }
        }
        var hugeHeader = good
        hugeHeader.replaceSubrange(14..<22, with: [0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(attempt(hugeHeader).contains("truncated"))
        // The same JSON header with an absurd shape (same length, so nothing else moves); the
        // checksum would catch the edit too, but the sizes are refused before it is computed.
        for (field, absurd, cause) in [("\"hiddenUnits\":4", "\"hiddenUnits\":0", "implausible sizes"), ("\"weightCount\":", "\"weightCount\"=", "unreadable header")] {
            let from = Array(field.utf8), to = Array(absurd.utf8)
            let start = try #require((0...(good.count - from.count)).first { Array(good[$0..<($0 + from.count)]) == from }, "\(field) not in the header")
            var edited = good
            edited.replaceSubrange(start..<(start + from.count), with: to)
            #expect(attempt(edited).contains(cause), "\(absurd): \(attempt(edited))")
        }
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
