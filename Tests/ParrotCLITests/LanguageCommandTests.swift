import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// Another language end to end: a built-in corpus in Spanish, a model trained on it, a lexicon
/// from eSpeak NG; their phone sets agree, and a lexicon in other phones is refused by name.
@Suite(.serialized) struct LanguageCommandTests {
    let parrot = TestSupport.parrotBinary

    /// Words chosen so that eSpeak NG's Spanish pronounces them alone with the phones it uses in sentences.
    static let words = "casa perro gato mesa silla libro agua fuego tierra cielo noche ciudad camino puerta ventana madre padre amigo campo verde rojo blanco negro grande"

    static func phones(ofLexicon path: String) throws -> (phones: Set<String>, entries: [String: [String]]) {
        var phones = Set<String>(), entries = [String: [String]]()
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix(";;;") {
            let fields = line.split(separator: " ").map(String.init)
            phones.formUnion(fields.dropFirst())
            entries[fields[0]] = Array(fields.dropFirst())
        }
        return (phones, entries)
    }

    @Test func lexiconCorpusAndModelAgreeOnTheLanguagesPhones() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-language")
        try TestSupport.write(Self.words.replacingOccurrences(of: " ", with: "\n") + "\n", to: dir + "/words.txt")
        let corpus = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"),
                                         [dir + "/es", "--language", "es", "--words", dir + "/words.txt", "--train", "24", "--test", "4", "--seed", "3"])
        #expect(corpus.status == 0, "\(corpus.standardError)")
        let train = try TestSupport.run(parrot, ["train", dir + "/es/train", dir + "/es/lexicon.txt", dir + "/model",
                                                 "--rounds", "2", "--local-rounds", "1", "--epochs", "2", "--layers", "1", "--hidden", "16"])
        #expect(train.status == 0, "\(train.standardError)")
        let corpusPhones = try Self.phones(ofLexicon: dir + "/es/lexicon.txt").phones
        let modelPhones = Set(try String(contentsOfFile: dir + "/model/phones.txt", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        #expect(modelPhones == corpusPhones.union(["SIL", "SPN"]), "\(modelPhones.symmetricDifference(corpusPhones.union(["SIL", "SPN"])))")

        // eSpeak NG's pronunciations of the test words alone: the same phone set, and the aligner uses them.
        let lexicon = try TestSupport.run(parrot, ["lexicon", dir + "/es/test", dir + "/g2p.txt", "--language", "es"])
        #expect(lexicon.status == 0, "\(lexicon.standardError)")
        let generated = try Self.phones(ofLexicon: dir + "/g2p.txt")
        #expect(generated.phones.isSubset(of: corpusPhones), "\(generated.phones.subtracting(corpusPhones))")
        let align = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/g2p.txt", dir + "/es/test", dir + "/align"])
        #expect(align.status == 0, "\(align.standardError)")
        let text = try TableFile(path: dir + "/es/test/text").dictionary
        var aligned = [String: [String]]()
        for line in try String(contentsOfFile: dir + "/align/phones.ctm", encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            if f[4] != "SIL" { aligned[f[0], default: []].append(f[4]) }
        }
        #expect(Set(aligned.keys) == Set(text.keys))
        for (utterance, transcript) in text {
            let expected = transcript.split(separator: " ").flatMap { generated.entries[String($0)] ?? ["?"] }
            #expect(aligned[utterance] == expected, "\(utterance)")
        }

        // The model by name: in a model folder of PARROT_MODELS, `parrot models` lists it and align finds it.
        try FileManager.default.createDirectory(atPath: dir + "/models", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/model", toPath: dir + "/models/spanish")
        try TestSupport.write("# A Spanish test model\n\nTrained on 24 utterances.\n", to: dir + "/models/spanish/MODEL.md")
        var environment = ProcessInfo.processInfo.environment
        environment["PARROT_MODELS"] = dir + "/models"
        let listed = try TestSupport.run(parrot, ["models"], environment: environment)
        #expect(listed.status == 0)
        let line = "spanish\t\(corpusPhones.count) phones, 16 kHz, framewise\t\(dir)/models/spanish\tA Spanish test model"
        #expect(listed.standardOutput.split(separator: "\n").contains { $0 == line }, "\(listed.standardOutput)")
        let byName = try TestSupport.run(parrot, ["align", "Spanish", dir + "/g2p.txt", dir + "/es/test", dir + "/align-by-name"], environment: environment)
        #expect(byName.status == 0, "\(byName.standardError)")
        #expect(try String(contentsOfFile: dir + "/align-by-name/phones.ctm", encoding: .utf8) == String(contentsOfFile: dir + "/align/phones.ctm", encoding: .utf8))
        let unknown = try TestSupport.run(parrot, ["align", "klingon", dir + "/g2p.txt", dir + "/es/test", dir + "/align-unknown"], environment: environment)
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no model 'klingon': no such file or directory, and no model of that name (known: "), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("spanish"), "\(unknown.standardError)")

        // A lexicon in ARPAbet does not fit the Spanish model: every utterance refused, the phone named.
        let english = text.values.flatMap { $0.split(separator: " ") }.map { "\($0) K AA S AH\n" }.joined()
        try TestSupport.write(english, to: dir + "/arpabet.txt")
        let refused = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/arpabet.txt", dir + "/es/test", dir + "/refused"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("phone 'K' is not in the model's phone set"), "\(refused.standardError)")
        // Named once, up front, with how many words use each.
        let words = Set(text.values.flatMap { $0.split(separator: " ") }).count
        #expect(refused.standardError.contains("the lexicon's phones AA (\(words) words), AH (\(words) words), K (\(words) words), S (\(words) words) are not in the phone set of model \(dir)/model"),
                "\(refused.standardError)")
    }
}
