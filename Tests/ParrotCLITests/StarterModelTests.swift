import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// The English starter model as shipped (models/english, made by recipes/english/run.sh): found by
/// name, and good enough to use without training on speech it was not trained on.
@Suite(.serialized) struct StarterModelTests {
    let parrot = TestSupport.parrotBinary
    static let digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    @Test func parrotModelsListsTheStarterModel() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PARROT_MODELS"] = nil
        let run = try TestSupport.run(parrot, ["models"], environment: environment)
        #expect(run.status == 0)
        let directory = TestSupport.packageRoot.appendingPathComponent("models/english").path
        #expect(run.standardOutput.split(separator: "\n").contains { $0.hasPrefix("english\t39 phones, 16 kHz, framewise\t\(directory)\tEnglish starter model") },
                "\(run.standardOutput)")
    }

    /// FSDD takes 0-1 (the recipe trains on takes 5-49 only) of every speaker: named model,
    /// named lexicon, no training. The one-digit grammar must get at least 95% of the files right,
    /// and the alignment must spell each file's digit with the CMU dictionary's phones.
    @Test(.requiresCorpus(.fsdd)) func theStarterModelRecognisesAndAlignsTakesItWasNotTrainedOn() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-starter")
        let recordings = TestSupport.corpus("fsdd/recordings")
        var wav = [String](), text = [String](), utt2spk = [String]()
        for name in try FileManager.default.contentsOfDirectory(atPath: recordings).sorted() where name.hasSuffix(".wav") {
            let parts = name.dropLast(4).split(separator: "_")
            guard parts.count == 3, let digit = Int(parts[0]), let take = Int(parts[2]), take <= 1 else { continue }
            let id = "\(parts[1])_\(digit)_\(take)"
            wav.append("\(id) \(recordings)/\(name)")
            text.append("\(id) \(Self.digits[digit].uppercased())")
            utt2spk.append("\(id) \(parts[1])")
        }
        #expect(wav.count == 100)
        let data = dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try TestSupport.write(wav.sorted().joined(separator: "\n") + "\n", to: data + "/wav.scp")
        try TestSupport.write(text.sorted().joined(separator: "\n") + "\n", to: data + "/text")
        try TestSupport.write(utt2spk.sorted().joined(separator: "\n") + "\n", to: data + "/utt2spk")
        try TestSupport.write("#JSGF V1.0;\ngrammar digits;\npublic <digit> = \(Self.digits.joined(separator: " | "));\n", to: dir + "/digit.jsgf")

        let decode = try TestSupport.run(parrot, ["decode", "english", data, dir + "/decode", "--mode", "lexicon", "--lexicon", "english", "--grammar", dir + "/digit.jsgf"])
        #expect(decode.status == 0, "\(decode.standardError)")
        let reference = try TableFile(path: data + "/text").dictionary
        let hypothesis = try TableFile(path: dir + "/decode/text").dictionary
        let correct = reference.filter { hypothesis[$0.key] == $0.value }.count
        #expect(correct >= 95, "\(correct) of 100 files right")

        let align = try TestSupport.run(parrot, ["align", "english", "english", data, dir + "/align"])
        #expect(align.status == 0, "\(align.standardError)")
        // Every pronunciation the CMU dictionary gives the digits (ONE is W AH N or HH W AH N).
        var cmu = [String: Set<String>]()
        for line in try String(contentsOfFile: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            let word = String(fields[0].split(separator: "(")[0]).uppercased()
            if Self.digits.contains(word.lowercased()) { cmu[word, default: []].insert(fields.dropFirst().joined(separator: " ")) }
        }
        #expect(cmu.count == 10)
        var phones = [String: [String]]()
        for line in try String(contentsOfFile: dir + "/align/phones.ctm", encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            if f[4] != "SIL" { phones[f[0], default: []].append(f[4]) }
        }
        for (id, word) in reference {
            let spelled = phones[id]?.joined(separator: " ")
            #expect(spelled.map { cmu[word]?.contains($0) == true } == true, "\(id): \(spelled ?? "not aligned")")
        }
    }
}
