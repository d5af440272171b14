import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// `parrot train`, `align`, `eval-align`, `lm`, `decode` and `score` end to end on a tiny built-in corpus.
@Suite(.serialized) struct AlignCommandTests {
    let parrot = TestSupport.parrotBinary

    @Test func trainAlignAndEvaluateOnASmallSyntheticCorpus() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-align")
        let corpus = try TestSupport.run(TestSupport.builtBinary("parrot-corpus"), [dir + "/tts", "--train", "30", "--test", "6", "--seed", "3"])
        try #require(corpus.status == 0, "\(corpus.standardError)")
        // An impossible utterance: a 30-word transcript on one short test recording.
        let test = dir + "/tts/test"
        var text = try String(contentsOfFile: test + "/text", encoding: .utf8).split(separator: "\n").map(String.init)
        let victim = String(text[0].split(separator: " ")[0])
        text[0] = victim + " " + Array(repeating: "THE", count: 120).joined(separator: " ")
        try TestSupport.write(text.joined(separator: "\n") + "\n", to: test + "/text")

        let train = try TestSupport.run(parrot, ["train", dir + "/tts/train", dir + "/tts/lexicon.txt", dir + "/model",
                                                 "--rounds", "3", "--local-rounds", "1", "--epochs", "2", "--layers", "1", "--hidden", "16", "--learning-rate", "0.01"])
        #expect(train.status == 0, "\(train.standardError)")
        #expect(train.standardOutput.contains("round 1: mean best-path log-likelihood"))
        #expect(FileManager.default.fileExists(atPath: dir + "/model/feats/feats.scp"), "features computed for a data directory without them")
        for file in ["final.mdl", "ali.0.ark", "ali.1.ark", "round-1/final.mdl", "round-2/final.mdl", "phones.txt", "priors.txt", "train.log"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/model/" + file), "missing \(file)")
        }

        // Starting from that model with a local round first: the first BiLSTM round continues from it.
        let resumedFrom = try TestSupport.run(parrot, ["train", dir + "/tts/train", dir + "/tts/lexicon.txt", dir + "/model2",
                                                       "--rounds", "2", "--local-rounds", "1", "--epochs", "1", "--layers", "1", "--hidden", "16",
                                                       "--init-model", dir + "/model"])
        #expect(resumedFrom.status == 0, "\(resumedFrom.standardError)")
        #expect(FileManager.default.fileExists(atPath: dir + "/model2/final.mdl"))
        /// The variance normalisation a model file's header records (nil: none).
        func varianceNormalization(_ model: String) -> String? {
            let header = String(decoding: (FileManager.default.contents(atPath: dir + "/\(model)/final.mdl") ?? Data()).prefix(4_000), as: UTF8.self)
            return ["per-bin", "pooled"].first { header.contains("\"varianceNormalization\":\"\($0)\"") }
        }
        // Both models' CMVN takes the mean alone (the default, and the starting model's choice);
        // asking an adaptation for another normalisation is refused before any work.
        #expect(varianceNormalization("model") == nil && varianceNormalization("model2") == nil)
        let otherNormalisation = try TestSupport.run(parrot, ["train", dir + "/tts/train", dir + "/tts/lexicon.txt", dir + "/model3", "--init-model", dir + "/model", "--norm-vars", "pooled"])
        #expect(otherNormalisation.status == 1 && otherNormalisation.standardError.contains("--norm-vars pooled: the starting model's features were normalised with --norm-vars none"), "\(otherNormalisation.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/model3/final.mdl"))

        // Training copies and re-alignment parts as jobs through the local launcher give the same
        // model and alignments as threads in one process, with the variance normalised in both
        // (the jobs read it from their job files).
        let launcher = TestSupport.packageRoot.appendingPathComponent("recipes/common/local.sh").path + " --max-jobs-run 2"
        var launched = [String: Data]()
        for (name, extra) in [("threads", [String]()), ("launched", ["--cmd", launcher])] {
            let run = try TestSupport.run(parrot, ["train", dir + "/model/feats", dir + "/tts/lexicon.txt", dir + "/" + name, "--rounds", "2", "--local-rounds", "1",
                                                   "--epochs", "2", "--layers", "1", "--hidden", "16", "--train-jobs", "2", "--nj", "2", "--norm-vars", "pooled"] + extra)
            #expect(run.status == 0, "\(run.standardError)")
            for file in ["final.mdl", "ali.1.ark", "ali.2.ark"] { launched[name + "/" + file] = FileManager.default.contents(atPath: dir + "/\(name)/" + file) }
        }
        #expect(varianceNormalization("threads") == "pooled" && varianceNormalization("launched") == "pooled")
        for file in ["final.mdl", "ali.1.ark", "ali.2.ark"] {
            #expect(launched["threads/" + file] != nil && launched["threads/" + file] == launched["launched/" + file], "\(file) differs between threads and launched jobs")
        }
        for log in ["round-2/jobs/epoch-2/log/train.1.log", "round-2/jobs/epoch-2/log/train.2.log", "jobs/align-2/log/align.2.log"] {
            let text = (try? String(contentsOfFile: dir + "/launched/" + log, encoding: .utf8)) ?? ""
            #expect(text.contains("train-worker") && text.contains("Ended (code 0)"), "job log \(log): \(text)")
        }

        let align = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/tts/lexicon.txt", test, dir + "/out", "--nj", "2"])
        #expect(align.status == 1, "one utterance cannot be aligned")
        #expect(align.standardOutput.contains("Done 5 of 6 utterances"))
        let failed = try TableFile(path: dir + "/out/failed.txt")
        #expect(failed.keys == [victim])
        #expect(failed.dictionary[victim]?.contains("transcript too long") == true)
        let grids = try FileManager.default.contentsOfDirectory(atPath: dir + "/out/textgrids")
        #expect(grids.count == 5)
        // Every aligned utterance's word tier equals its transcript.
        let words = try String(contentsOfFile: dir + "/out/words.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let transcripts = try TableFile(path: test + "/text").dictionary
        for (utterance, transcript) in transcripts where utterance != victim {
            #expect(words.filter { $0[0] == utterance }.map { String($0[4]) }.joined(separator: " ") == transcript)
        }

        // Priors come from priors.txt beside the model: the default is --prior-scale 1. A model
        // file on its own aligns on its posteriors, with a note, as --prior-scale 0 does, and
        // an explicit scale then fails naming the missing file.
        try FileManager.default.createDirectory(atPath: dir + "/bare", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/model/final.mdl", toPath: dir + "/bare/final.mdl")
        var ctm = [String: Data]()
        for (name, model, extra) in [("default", "model", [String]()), ("one", "model", ["--prior-scale", "1"]),
                                     ("zero", "model", ["--prior-scale", "0"]), ("bare", "bare", [])] {
            let run = try TestSupport.run(parrot, ["align", dir + "/" + model, dir + "/tts/lexicon.txt", test, dir + "/priors-" + name] + extra)
            #expect(run.status == 1, "\(name): \(run.standardError)")
            #expect(run.standardError.contains("no priors.txt beside") == (name == "bare"), "\(name): \(run.standardError)")
            ctm[name] = FileManager.default.contents(atPath: dir + "/priors-\(name)/phones.ctm")
        }
        #expect(ctm["default"] != nil && ctm["default"] == ctm["one"])
        #expect(ctm["bare"] != nil && ctm["bare"] == ctm["zero"])
        let refused = try TestSupport.run(parrot, ["align", dir + "/bare", dir + "/tts/lexicon.txt", test, dir + "/priors-refused", "--prior-scale", "1"])
        #expect(refused.status != 0 && refused.standardError.contains("bare/priors.txt does not exist"), "\(refused.standardError)")

        // --min-pause 8: every silence between two words lasts at least 80 ms.
        let paused = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/tts/lexicon.txt", test, dir + "/paused", "--min-pause", "8"])
        #expect(paused.status == 1, "\(paused.standardError)")
        let phoneRows = try String(contentsOfFile: dir + "/paused/phones.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        for (i, row) in phoneRows.enumerated() where row[4] == "SIL" && i > 0 && i + 1 < phoneRows.count && phoneRows[i - 1][0] == row[0] && phoneRows[i + 1][0] == row[0] {
            #expect(Double(row[3])! >= 0.0795, "pause shorter than 80 ms: \(row)")
        }
        // A boundary refiner learnt from the training voices' reference times, then used by align:
        // the same phones, with times off the frame grid, in TextGrids a real reader accepts.
        let learnt = try TestSupport.run(parrot, ["train-refiner", dir + "/model", dir + "/tts/lexicon.txt", dir + "/tts/train", dir + "/tts/train/phones.ctm",
                                                  dir + "/refiner/b.refiner", "--epochs", "5", "--hidden", "16"])
        #expect(learnt.status == 0, "\(learnt.standardError)")
        #expect(learnt.standardOutput.contains("held-out 3 utterances, with the refiner:"), "\(learnt.standardOutput)")
        let refined = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/tts/lexicon.txt", test, dir + "/refined", "--refiner", dir + "/refiner/b.refiner"])
        #expect(refined.status == 1 && refined.standardOutput.contains("Done 5 of 6 utterances"), "\(refined.standardError)")
        let plainRows = try String(contentsOfFile: dir + "/out/phones.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let refinedRows = try String(contentsOfFile: dir + "/refined/phones.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(refinedRows.map { "\($0[0]) \($0[4])" } == plainRows.map { "\($0[0]) \($0[4])" })
        let offGrid = refinedRows.filter { row in
            let start = Double(row[2])!
            return start > 0 && abs((start - 0.0075) * 100 - ((start - 0.0075) * 100).rounded()) > 0.05
        }
        #expect(!offGrid.isEmpty, "no refined time left the 10 ms grid")
        let grid = try FileManager.default.contentsOfDirectory(atPath: dir + "/refined/textgrids").sorted()[0]
        let intervals = try TestSupport.python("""
        from praatio import textgrid
        tg = textgrid.openTextgrid('\(dir)/refined/textgrids/\(grid)', includeEmptyIntervals=True)
        entries = tg.getTier('phones').entries
        print(all(a.end == b.start and a.start < a.end for a, b in zip(entries, entries[1:])), len(entries))
        """)
        #expect(intervals.hasPrefix("True"), "\(intervals)")
        let both = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/tts/lexicon.txt", test, dir + "/x", "--refiner", dir + "/refiner/b.refiner", "--flat-start"])
        #expect(both.status == 64)
        let warpedFlat = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/tts/lexicon.txt", test, dir + "/x", "--vtln", "--flat-start"])
        #expect(warpedFlat.status == 64 && warpedFlat.standardError.contains("no model to search speaker warps with"), "\(warpedFlat.standardError)")

        for command in ["align", "train"] {
            #expect(try TestSupport.run(parrot, [command, "--help"]).standardOutput.contains("--min-pause"), "\(command) --help lacks --min-pause")
        }

        let evaluation = try TestSupport.run(parrot, ["eval-align", test + "/phones.ctm", dir + "/out/phones.ctm"])
        #expect(evaluation.status == 0)
        #expect(evaluation.standardOutput.contains("within 20 ms:"))
        #expect(evaluation.standardOutput.contains("5 utterances"))
        let breakdown = try TestSupport.run(parrot, ["eval-align", test + "/phones.ctm", dir + "/out/phones.ctm", "--breakdown", "3",
                                                     "--phone-classes", TestSupport.packageRoot.appendingPathComponent("recipes/common/arpabet-classes.txt").path])
        #expect(breakdown.status == 0 && breakdown.standardOutput.contains("boundaries by the reference phones on their two sides"), "\(breakdown.standardError)")
        #expect(breakdown.standardOutput.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" -> ") }.count == 3, "\(breakdown.standardOutput)")
        let classesAlone = try TestSupport.run(parrot, ["eval-align", test + "/phones.ctm", dir + "/out/phones.ctm", "--phone-classes", "x.txt"])
        #expect(classesAlone.status == 64 && classesAlone.standardError.contains("give --breakdown N as well"), "\(classesAlone.standardError)")

        // Decoding the same test files: a bigram of the training text, lexicon search, scoring.
        let lm = try TestSupport.run(parrot, ["lm", dir + "/tts/train/text", dir + "/lm/bigram.arpa", "--order", "2"])
        #expect(lm.status == 0, "\(lm.standardError)")
        let decode = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/decode", "--mode", "lexicon",
                                                  "--lexicon", dir + "/tts/lexicon.txt", "--lm", dir + "/lm/bigram.arpa", "--nj", "2"])
        #expect(decode.status == 0, "\(decode.standardError)")
        #expect(decode.standardOutput.contains("Done 6 of 6 utterances"))
        let lexiconWords = Set(try TableFile(path: dir + "/tts/lexicon.txt").keys.map { $0.uppercased() })
        let hypotheses = try TableFile(path: dir + "/decode/text")
        #expect(hypotheses.keys.sorted() == transcripts.keys.sorted())
        for line in hypotheses.lines {
            #expect(line.value.split(separator: " ").allSatisfy { lexiconWords.contains(String($0)) }, "\(line.value)")
        }
        for row in try String(contentsOfFile: dir + "/decode/words.ctm", encoding: .utf8).split(separator: "\n") {
            let fields = row.split(separator: " ")
            #expect(fields.count == 6 && (0...1).contains(Double(fields[5]) ?? -1), "\(row)")
        }
        let score = try TestSupport.run(parrot, ["score", test + "/text", dir + "/decode/text"])
        #expect(score.status == 0)
        let referenceWords = transcripts.values.reduce(0) { $0 + $1.split(separator: " ").count }
        #expect(score.standardOutput.range(of: #"%WER [0-9.]+ \[ [0-9]+ / \#(referenceWords), [0-9]+ ins, [0-9]+ del, [0-9]+ sub \]"#, options: .regularExpression) != nil,
                "\(score.standardOutput)")
        #expect(score.standardOutput.contains("Scored 6 sentences, 0 not present in hyp."))
        // A framewise model's word search scales the network's scores by 0.5 unless told otherwise.
        let halfScale = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/decode-half", "--mode", "lexicon", "--lexicon", dir + "/tts/lexicon.txt",
                                                     "--lm", dir + "/lm/bigram.arpa", "--nj", "2", "--acoustic-scale", "0.5"])
        #expect(halfScale.status == 0, "\(halfScale.standardError)")
        #expect(FileManager.default.contents(atPath: dir + "/decode-half/decode.json") == FileManager.default.contents(atPath: dir + "/decode/decode.json"))

        // A one-sentence grammar forces that sentence on every file.
        let forced = transcripts.sorted { $0.key < $1.key }.first { $0.key != victim }!.value
        try TestSupport.write(forced + "\n", to: dir + "/one.txt")
        let grammar = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/grammar", "--mode", "lexicon",
                                                   "--lexicon", dir + "/tts/lexicon.txt", "--grammar", dir + "/one.txt"])
        #expect(grammar.status == 0, "\(grammar.standardError)")
        #expect(Set(try TableFile(path: dir + "/grammar/text").lines.map(\.value)) == [forced.uppercased()])
        // Six short files are less than a minute: decoded once, with no adaptation; no speaker has
        // the 20 s of speech a warp factor is searched for (vocal-tract-length normalisation).
        #expect(!FileManager.default.fileExists(atPath: dir + "/grammar/adapt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/grammar/spk2warp") && !grammar.standardOutput.contains("speaker warps"))

        // Self-adaptation asked for: one pass fine-tunes the model on the first pass's hypotheses
        // (here the grammar's one sentence on every file) and decodes again.
        let adapted = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/adapted", "--mode", "lexicon",
                                                   "--lexicon", dir + "/tts/lexicon.txt", "--grammar", dir + "/one.txt", "--adapt", "1"])
        #expect(adapted.status == 0, "\(adapted.standardError)")
        #expect(adapted.standardOutput.contains("adaptation pass 1: fine-tuned on 6 utterances in") && adapted.standardOutput.contains("Done 6 of 6 utterances"))
        let adaptationText = try TableFile(path: dir + "/adapted/adapt/pass-1/text")
        #expect(adaptationText.keys.sorted() == transcripts.keys.sorted() && Set(adaptationText.lines.map(\.value)) == [forced.uppercased()])
        let startingWeights = FileManager.default.contents(atPath: dir + "/model/final.mdl")
        let adaptedWeights = FileManager.default.contents(atPath: dir + "/adapted/adapt/pass-1/model/final.mdl")
        #expect(adaptedWeights != nil && adaptedWeights != startingWeights, "the adapted model is a fine-tuned copy")
        #expect(Set(try TableFile(path: dir + "/adapted/text").lines.map(\.value)) == [forced.uppercased()])
        let greedyAdapt = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/x", "--adapt", "1"])
        #expect(greedyAdapt.status == 64 && greedyAdapt.standardError.contains("--adapt needs --mode lexicon"))
        let greedyWarp = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/x", "--vtln"])
        #expect(greedyWarp.status == 64 && greedyWarp.standardError.contains("--vtln needs --mode lexicon"))

        // Phones: greedy merging, and search with the phone bigram train wrote.
        let phoneSet = Set(try TableFile(path: dir + "/model/phones.txt").keys)
        for extra in [[], ["--phone-lm", dir + "/model/phones.arpa"]] {
            let phones = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/phones"] + extra)
            #expect(phones.status == 0, "\(phones.standardError)")
            let tokens = try TableFile(path: dir + "/phones/text").lines.flatMap { $0.value.split(separator: " ").map(String.init) }
            #expect(!tokens.isEmpty && tokens.allSatisfy { phoneSet.contains($0) && $0 != "SIL" })
        }
        let help = try TestSupport.run(parrot, ["decode", "--help"])
        for option in ["--mode", "--phone-lm", "--lexicon", "--grammar", "--lm", "--lm-weight", "--word-insertion-penalty", "--beam", "--max-active",
                       "--min-duration", "--prior-scale", "--acoustic-scale", "--drop-quiet-words", "--adapt", "--vtln", "--no-vtln", "--nj", "e.g.:"] {
            #expect(help.standardOutput.contains(option), "decode --help lacks \(option)")
        }
        let conflicting = try TestSupport.run(parrot, ["decode", dir + "/model", test, dir + "/x", "--grammar", dir + "/one.txt"])
        #expect(conflicting.status == 64)
    }
}
