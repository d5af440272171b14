import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// `parrot train --criterion ctc` and `--init-alignment ctc`, and aligning and decoding with a
/// CTC model, end to end on a tiny built-in corpus.
@Suite(.serialized) struct CTCCommandTests {
    let parrot = TestSupport.parrotBinary
    static let tinyNetwork = ["--layers", "1", "--hidden", "16", "--learning-rate", "0.01"]

    /// Each utterance's phones from the lexicon's first pronunciations, as `UTT PH PH ...`.
    func expectedPhones(text: String, lexicon: String) throws -> [String: [String]] {
        var first = [String: [String]]()
        for line in try String(contentsOfFile: lexicon, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count > 1, first[fields[0].uppercased()] == nil { first[fields[0].uppercased()] = Array(fields.dropFirst()) }
        }
        return try TableFile(path: text).dictionary.mapValues { transcript in
            transcript.split(separator: " ").flatMap { first[String($0).uppercased()] ?? ["?"] }
        }
    }

    @Test func ctcTrainsFromTranscriptsAlignsEveryPhoneAndDecodes() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-ctc")
        let corpus = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"), [dir + "/tts", "--train", "30", "--test", "6", "--seed", "3"])
        try #require(corpus.status == 0, "\(corpus.standardError)")
        let lexicon = dir + "/tts/lexicon.txt", test = dir + "/tts/test"
        let arguments = ["train", dir + "/tts/train", lexicon, dir + "/model", "--criterion", "ctc", "--epochs", "4"] + Self.tinyNetwork
        let train = try TestSupport.run(parrot, arguments)
        try #require(train.status == 0, "\(train.standardError)")
        #expect(train.standardError.contains("CTC: 30 utterances"), "\(train.standardError)")
        #expect(train.standardOutput.contains("ctc epoch 1: train loss"), "\(train.standardOutput)")
        #expect(train.standardError.contains("CTC model: transcripts' mean log-probability"), "\(train.standardError)")
        for file in ["final.mdl", "ctc/final.mdl", "ctc/epoch-1.mdl", "ali.ctc.ark", "phones.txt", "priors.txt", "phones.arpa", "train.log"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/model/" + file), "missing \(file)")
        }
        // The blank is the last class, recorded in the model file, and never a phone of the bigram.
        #expect(try String(contentsOfFile: dir + "/model/phones.txt", encoding: .utf8).split(separator: "\n").last?.hasPrefix("<blk> ") == true)
        let modelBytes = try #require(FileManager.default.contents(atPath: dir + "/model/final.mdl"))
        #expect(String(decoding: modelBytes.prefix(4000), as: UTF8.self).contains("\"criterion\":\"ctc\""))
        #expect(try !String(contentsOfFile: dir + "/model/phones.arpa", encoding: .utf8).contains("<blk>"))

        // Re-running resumes: nothing is trained again and the model is the same.
        let again = try TestSupport.run(parrot, arguments)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(FileManager.default.contents(atPath: dir + "/model/final.mdl") == modelBytes)
        // A directory begun with CTC is not resumed as a flat start.
        let other = try TestSupport.run(parrot, ["train", dir + "/tts/train", lexicon, dir + "/model", "--epochs", "1"] + Self.tinyNetwork)
        #expect(other.status != 0 && other.standardError.contains("CTC"), "\(other.standardError)")

        // CTC alignment emits every phone of the transcript, in order, whatever the model learnt.
        let align = try TestSupport.run(parrot, ["align", dir + "/model", lexicon, test, dir + "/align"])
        #expect(align.status == 0, "\(align.standardError)")
        let rows = try String(contentsOfFile: dir + "/align/phones.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let expected = try expectedPhones(text: test + "/text", lexicon: lexicon)
        #expect(expected.count == 6)
        for (utterance, phones) in expected {
            let aligned = rows.filter { $0[0] == utterance }
            #expect(aligned.filter { $0[4] != "SIL" }.map { $0[4] } == phones, "\(utterance)")
            // The segments tile the utterance: each starts where the one before ended (to the CTM's milliseconds).
            for (a, b) in zip(aligned, aligned.dropFirst()) { #expect(abs(Double(a[2])! + Double(a[3])! - Double(b[2])!) < 0.0015, "\(a) \(b)") }
        }

        // Decoding: greedy, with the phone bigram (prefix beam search), and over the lexicon.
        let phoneSet = Set(try String(contentsOfFile: dir + "/model/phones.txt", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        for (name, extra) in [("greedy", [String]()), ("bigram", ["--phone-lm", dir + "/model/phones.arpa"]),
                              ("words", ["--mode", "lexicon", "--lexicon", lexicon])] {
            let decode = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/" + name] + extra)
            #expect(decode.status == 0 && decode.standardOutput.contains("Done 6 of 6 utterances"), "\(name): \(decode.standardError)")
            let hypotheses = try TableFile(path: dir + "/\(name)/text")
            #expect(hypotheses.keys.count == 6)
            for line in hypotheses.lines {
                let tokens = line.value.split(separator: " ").map(String.init)
                #expect(!tokens.contains("<blk>"), "\(name): \(line.value)")
                if name != "words" { #expect(tokens.allSatisfy { phoneSet.contains($0) }, "\(name): \(line.value)") }
            }
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/words/words.ctm"))
        // Speaker warps are searched with a framewise model's first pass; asked of a CTC model, refused.
        let warped = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/x", "--mode", "lexicon", "--lexicon", lexicon, "--vtln"])
        #expect(warped.status == 1 && warped.standardError.contains("--vtln applies to framewise models only"), "\(warped.standardError)")

        // A CTC start (parrot train's default): the CTC model first (here of one LSTM layer, the
        // rounds' of two), its alignments are ali.0.ark, then framewise rounds.
        let started = try TestSupport.run(parrot, ["train", dir + "/model/feats", lexicon, dir + "/started", "--rounds", "2",
                                                   "--local-rounds", "1", "--epochs", "2", "--layers", "2", "--hidden", "16", "--learning-rate", "0.01",
                                                   "--ctc-start-layers", "1"])
        #expect(started.status == 0, "\(started.standardError)")
        #expect(started.standardError.contains("first alignment from the CTC model: 30 utterances"), "\(started.standardError)")
        for file in ["ctc/final.mdl", "ali.0.ark", "ali.1.ark", "round-2/final.mdl", "final.mdl"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/started/" + file), "missing \(file)")
        }
        #expect(try String(contentsOfFile: dir + "/started/phones.txt", encoding: .utf8).contains("<blk>") == false)
        // After a CTC start the frame-local round sees single frames; after a flat start ±1.
        /// `"name":N` as the model file's header gives it (the network's configuration).
        func field(_ name: String, of model: String) throws -> String? {
            let header = String(decoding: try #require(FileManager.default.contents(atPath: model)).prefix(4000), as: UTF8.self)
            return header.range(of: "\"\(name)\":[0-9]+", options: .regularExpression).map { String(header[$0]) }
        }
        #expect(try String(contentsOfFile: dir + "/started/start.txt", encoding: .utf8) == "a CTC start (--init-alignment ctc)\n")
        #expect(try String(contentsOfFile: dir + "/started/first-alignment.txt", encoding: .utf8) == "ctc\n")
        #expect(try field("splice", of: dir + "/started/round-1/final.mdl") == "\"splice\":0")
        #expect(try field("layers", of: dir + "/started/ctc/final.mdl") == "\"layers\":1")
        #expect(try field("layers", of: dir + "/started/final.mdl") == "\"layers\":2")
        let noLayers = try TestSupport.run(parrot, ["train", dir + "/model/feats", lexicon, dir + "/x", "--ctc-start-layers", "0"])
        #expect(noLayers.status != 0 && noLayers.standardError.contains("--ctc-start-layers must be at least 1"), "\(noLayers.standardError)")
        let flat = try TestSupport.run(parrot, ["train", dir + "/model/feats", lexicon, dir + "/flat", "--init-alignment", "flat", "--rounds", "2",
                                                "--local-rounds", "1", "--epochs", "1"] + Self.tinyNetwork)
        #expect(flat.status == 0 && flat.standardError.contains("flat start: 30 utterances"), "\(flat.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/flat/ctc"))
        #expect(try field("splice", of: dir + "/flat/round-1/final.mdl") == "\"splice\":1")

        // A CTC model as the starting model of framewise training: its CTC alignments are the
        // first, and the adapted model is framewise (its unused blank class kept). After a starting
        // model's alignment the frame-local round sees ±1 frame.
        let adapted = try TestSupport.run(parrot, ["train", dir + "/model/feats", lexicon, dir + "/adapted", "--init-model", dir + "/model", "--rounds", "2",
                                                   "--local-rounds", "1", "--epochs", "1"])
        #expect(adapted.status == 0, "\(adapted.standardError)")
        #expect(try field("splice", of: dir + "/adapted/round-1/final.mdl") == "\"splice\":1")
        let adaptedBytes = try #require(FileManager.default.contents(atPath: dir + "/adapted/final.mdl"))
        #expect(!String(decoding: adaptedBytes.prefix(4000), as: UTF8.self).contains("\"criterion\""))
        let adaptedAlign = try TestSupport.run(parrot, ["align", dir + "/adapted", lexicon, test, dir + "/adapted-align"])
        #expect(adaptedAlign.status == 0, "\(adaptedAlign.standardError)")

        let refused = try TestSupport.run(parrot, ["train", dir + "/tts/train", lexicon, dir + "/x", "--criterion", "ctc", "--init-model", dir + "/started"])
        #expect(refused.status == 64 && refused.standardError.contains("--criterion ctc"), "\(refused.standardError)")
    }

    /// CTC training copies as launched jobs give the model that threads give.
    @Test func ctcTrainingCopiesAsLaunchedJobsMatchThreads() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-ctc-jobs")
        let corpus = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"), [dir + "/tts", "--train", "24", "--test", "2", "--seed", "4"])
        try #require(corpus.status == 0, "\(corpus.standardError)")
        let features = try TestSupport.run(parrot, ["features", dir + "/tts/train", dir + "/feats"])
        try #require(features.status == 0, "\(features.standardError)")
        let launcher = TestSupport.packageRoot.appendingPathComponent("recipes/common/local.sh").path + " --max-jobs-run 2"
        var models = [String: Data]()
        for (name, extra) in [("threads", [String]()), ("launched", ["--cmd", launcher])] {
            let run = try TestSupport.run(parrot, ["train", dir + "/feats", dir + "/tts/lexicon.txt", dir + "/" + name, "--criterion", "ctc", "--epochs", "2",
                                                   "--train-jobs", "2"] + Self.tinyNetwork + extra)
            #expect(run.status == 0, "\(run.standardError)")
            models[name] = FileManager.default.contents(atPath: dir + "/\(name)/final.mdl")
        }
        #expect(models["threads"] != nil && models["threads"] == models["launched"])
    }
}
