import Corpus
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// End-to-end runs of `parrot nnet-train` and `parrot nnet-forward` on a small FSDD subset with
/// targets from a uniform segmentation of each digit's phones.
@Suite(.serialized, .requiresCorpus(.fsdd)) struct NnetCommandTests {
    let parrot = TestSupport.parrotBinary
    static let pronunciations = ["Z IH R OW", "W AH N", "T UW", "TH R IY", "F AO R", "F AY V", "S IH K S", "S EH V AH N", "EY T", "N AY N"]
    static let phones = ["Z", "IH", "R", "OW", "W", "AH", "N", "T", "UW", "TH", "IY", "F", "AO", "AY", "V", "S", "K", "EH", "EY"]
    static let fixture = Result { try makeFixture() }

    /// Features of 48 recordings (4 speakers × 12) and uniform targets.
    static func makeFixture() throws -> String {
        let dir = try TestSupport.temporaryDirectory("parrot-nnet")
        var wav = "", utt2spk = ""
        for speaker in ["george", "jackson", "lucas", "nicolas"] {
            for take in 0..<12 {
                let name = "\(take % 10)_\(speaker)_\(take + 5)"
                wav += "\(name) \(TestSupport.corpus("fsdd/recordings/\(name).wav"))\n"
                utt2spk += "\(name) \(speaker)\n"
            }
        }
        try TestSupport.write(wav, to: dir + "/wav.scp")
        try TestSupport.write(utt2spk, to: dir + "/utt2spk")
        let features = try TestSupport.run(TestSupport.parrotBinary, ["features", dir, dir + "/feats", "--sample-rate", "8000", "--num-mel-bins", "23"])
        guard features.status == 0 else { throw TestFailure("features failed: \(features.standardError)") }
        let scp = try ScriptFile(path: dir + "/feats/feats.scp")
        var targets = ""
        for key in scp.keys {
            let frames = try scp.read(key).asFloatMatrix!.rows
            let phones = Self.pronunciations[Int(String(key.first!))!].split(separator: " ").map(String.init)
            let classes = (0..<frames).map { t in Self.phones.firstIndex(of: phones[t * phones.count / frames])! }
            targets += "\(key) " + classes.map(String.init).joined(separator: " ") + "\n"
        }
        try TestSupport.write(targets, to: dir + "/targets.txt")
        try TestSupport.write(Self.phones.joined(separator: "\n") + "\n", to: dir + "/phones.txt")
        return dir
    }

    func train(_ dir: String, _ modelDir: String, _ extra: [String] = []) -> [String] {
        [parrot, "nnet-train", dir + "/feats", dir + "/targets.txt", modelDir, "--layers", "1", "--hidden", "16",
         "--epochs", "4", "--batch-size", "8", "--learning-rate", "0.01", "--class-labels", dir + "/phones.txt"] + extra
    }

    /// Whether /proc/cpuinfo lists avx512_bf16, read here rather than asked of Parrot.
    static let cpuHasBF16: Bool = {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return cpuInfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512_bf16") ?? false
    }()

    /// `parrot --version` says which arithmetic the network runs: BF16 by default exactly where
    /// /proc/cpuinfo lists avx512_bf16, FP32 when PARROT_PRECISION says so; and it follows the
    /// switches that select the portable paths.
    @Test func versionNamesTheArithmeticPath() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PARROT_PRECISION"] = nil
        let hasBF16 = Self.cpuHasBF16
        let plain = try TestSupport.run(TestSupport.parrotBinary, ["--version"], environment: environment)
        #expect(plain.status == 0)
        #expect(plain.standardOutput.contains(hasBF16 ? "BF16 (AVX512_BF16) products in the LSTM layers" : "FP32 (no AVX512_BF16 on this CPU)"), "\(plain.standardOutput)")
        environment["PARROT_PRECISION"] = "fp32"
        let fp32 = try TestSupport.run(TestSupport.parrotBinary, ["--version"], environment: environment)
        #expect(fp32.standardOutput.contains("FP32 ("), "\(fp32.standardOutput)")
        environment["PARROT_RECURRENT_KERNEL"] = "blas"
        environment["PARROT_CELL_KERNEL"] = "swift"
        let portable = try TestSupport.run(TestSupport.parrotBinary, ["--version"], environment: environment)
        #expect(portable.standardOutput.contains("recurrent product: OpenBLAS; LSTM step: portable SIMD"), "\(portable.standardOutput)")
    }

    @Test func frameAccuracyRisesEpochByEpochAndForwardWritesPosteriors() throws {
        let dir = try Self.fixture.get()
        let command = train(dir, dir + "/nnet")
        let result = try TestSupport.run(command[0], Array(command.dropFirst()))
        #expect(result.status == 0, "\(result.standardError)")
        let accuracies = result.standardOutput.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("epoch"), let range = line.range(of: "frame accuracy ") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "%" })
        }
        #expect(accuracies.count == 4)
        #expect(accuracies.last! > accuracies.first! + 10, "training accuracy should rise: \(accuracies)")
        #expect(try String(contentsOfFile: dir + "/nnet/train.log", encoding: .utf8).split(separator: "\n").count == 4)

        let forward = try TestSupport.run(parrot, ["nnet-forward", dir + "/nnet", dir + "/feats", dir + "/post.ark", "--nj", "2"])
        #expect(forward.status == 0, "\(forward.standardError)")
        #expect(forward.standardOutput.contains("Done 48 of 48 utterances"))
        let posteriors = try ScriptFile(path: dir + "/post.scp")
        #expect(posteriors.keys.count == 48)
        let first = try #require(try posteriors.read(posteriors.keys[0]).asFloatMatrix)
        #expect(first.columns == Self.phones.count)
        for t in 0..<first.rows {
            let total = first.row(t).reduce(Float(0)) { $0 + exp($1) }
            #expect(abs(total - 1) < 1e-4)
        }
    }

    /// `--precision`: on a CPU with AVX512_BF16, nnet-forward in BF16 writes log-posteriors within
    /// 0.05 of FP32's (hidden 16: sums of few products), and a model trained in BF16 learns as one in
    /// FP32 does; elsewhere bf16 is refused as a usage error that names the missing instruction set.
    @Test func precisionOptionRunsBF16OrRefusesIt() throws {
        let dir = try Self.fixture.get()
        let hasBF16 = Self.cpuHasBF16
        let command = train(dir, dir + "/nnet-bf16", ["--precision", "bf16"])
        let trained = try TestSupport.run(command[0], Array(command.dropFirst()))
        guard hasBF16 else {
            #expect(trained.status == 64)
            #expect(trained.standardError.contains("--precision bf16: this CPU has no AVX512_BF16"), "\(trained.standardError)")
            return
        }
        #expect(trained.status == 0, "\(trained.standardError)")
        let accuracies = trained.standardOutput.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("epoch"), let range = line.range(of: "frame accuracy ") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "%" })
        }
        #expect(accuracies.count == 4 && accuracies.last! > accuracies.first! + 10, "\(accuracies)")
        var outputs: [[Float]] = []
        for precision in ["fp32", "bf16"] {
            let out = dir + "/post-\(precision).ark"
            let forward = try TestSupport.run(parrot, ["nnet-forward", dir + "/nnet-bf16", dir + "/feats", out, "--precision", precision])
            #expect(forward.status == 0, "\(forward.standardError)")
            let posteriors = try ScriptFile(path: dir + "/post-\(precision).scp")
            outputs.append(try posteriors.keys.flatMap { try #require(try posteriors.read($0).asFloatMatrix).values })
        }
        #expect(outputs[0].count == outputs[1].count && !outputs[0].isEmpty)
        let worst = zip(outputs[0], outputs[1]).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst > 0 && worst < 0.05, "largest difference \(worst)")
    }

    /// Model averaging: two copies trained concurrently on halves of each epoch still learn, and
    /// the result does not depend on which copy finishes first.
    @Test func parallelTrainingWithModelAveragingLearnsAndIsDeterministic() throws {
        let dir = try Self.fixture.get()
        var models = [Data]()
        for run in ["avg1", "avg2"] {
            let command = train(dir, dir + "/" + run, ["--train-jobs", "2"])
            let result = try TestSupport.run(command[0], Array(command.dropFirst()))
            #expect(result.status == 0, "\(result.standardError)")
            let accuracies = result.standardOutput.split(separator: "\n").compactMap { line -> Double? in
                guard line.hasPrefix("epoch"), let range = line.range(of: "frame accuracy ") else { return nil }
                return Double(line[range.upperBound...].prefix { $0 != "%" })
            }
            #expect(accuracies.count == 4 && accuracies.last! > accuracies.first! + 10, "\(accuracies)")
            models.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(run)/final.mdl")))
        }
        #expect(models[0] == models[1])
        let one = train(dir, dir + "/avg-single")
        #expect(try TestSupport.run(one[0], Array(one.dropFirst())).status == 0)
        let single = try Data(contentsOf: URL(fileURLWithPath: dir + "/avg-single/final.mdl"))
        #expect(models[0] != single, "averaged training differs from one model's")
    }

    @Test func resumingAfterKillNineGivesTheSameModelAsAnUninterruptedRun() throws {
        let dir = try Self.fixture.get()
        let uninterrupted = train(dir, dir + "/straight")
        #expect(try TestSupport.run(uninterrupted[0], Array(uninterrupted.dropFirst())).status == 0)

        let killedDir = dir + "/killed"
        let command = train(dir, killedDir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: killedDir + "/epoch-2.mdl") && process.isRunning && Date() < deadline { usleep(5_000) }
        let killedMidway = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedMidway, "training finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killedDir + "/epoch-4.mdl"))

        let resumed = try TestSupport.run(command[0], Array(command.dropFirst()) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming after epoch"))
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/straight/final.mdl"))
        let b = try Data(contentsOf: URL(fileURLWithPath: killedDir + "/final.mdl"))
        #expect(a == b, "resumed model differs from the uninterrupted one")
    }
}
