import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// Issue 8's hostile-input suite: every stage over broken audio, broken tables and damaged models
/// and archives. Each bad input must be named with its cause, the good ones must finish with
/// correct output, the exit status must be 1, and nothing may crash, hang or write NaN.
@Suite(.serialized, .requiresCorpus(.yesno)) struct HostileInputTests {
    let parrot = TestSupport.parrotBinary
    static let tinyNetwork = ["--rounds", "2", "--local-rounds", "1", "--epochs", "2", "--layers", "1", "--hidden", "16", "--learning-rate", "0.01"]
    static let audioOptions = ["--pipe-timeout", "2"]

    /// Runs a stage and checks what every batch stage owes its user: exit status 1, one stderr
    /// line per failed utterance naming it and its cause, the same list in failed.txt, no crash.
    private func runBatch(_ arguments: [String], failedTable: String, expected: [String: String],
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> TestSupport.ProcessResult {
        let result = try TestSupport.run(parrot, arguments)
        #expect(result.status == 1, "\(arguments[0]) should exit 1:\n\(result.standardError)", sourceLocation: sourceLocation)
        #expect(!result.standardError.contains("Fatal error") && !result.standardError.contains("Stack dump"), "\(result.standardError)", sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n")
        for (utterance, cause) in expected {
            let line = lines.first { $0.contains("'\(utterance)'") }
            #expect(line?.contains(cause) == true, "\(arguments[0]): no message for '\(utterance)' with '\(cause)':\n\(result.standardError)", sourceLocation: sourceLocation)
        }
        let failed = try TableFile(path: failedTable)
        #expect(Set(failed.keys) == Set(expected.keys), "\(failedTable)", sourceLocation: sourceLocation)
        return result
    }

    /// No NaN or infinity in any number of a text output.
    private func expectFiniteNumbers(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8).lowercased()
        #expect(!text.contains("nan") && !text.contains("inf"), "\(path) holds a non-finite number", sourceLocation: sourceLocation)
    }

    @Test func everyStageNamesEachBrokenRecordingAndFinishesTheRest() throws {
        let corpus = try HostileStageCorpus.make()
        let dir = corpus.dir, data = corpus.dir
        let lexicon = dir + "/lexicon.txt"

        // validate: every broken recording the decoder can see is an error, named with its cause.
        let validate = try TestSupport.run(parrot, ["validate", data, "--sample-rate", "8000"] + Self.audioOptions)
        #expect(validate.status == 1)
        for (utterance, cause) in corpus.bad where !["x_one_sample", "x_ten_ms"].contains(utterance) {
            let line = validate.standardOutput.split(separator: "\n").first { $0.contains("'\(utterance)'") }
            #expect(line?.hasPrefix("error:") == true && line?.contains(cause) == true, "validate: \(utterance):\n\(validate.standardOutput)")
        }
        #expect(validate.standardOutput.contains("'v_allzero' every sample is zero"))
        #expect(validate.standardOutput.contains("'v_clipped'") && validate.standardOutput.contains("clipped"))

        // features: the good recordings (in every encoding) are written, with finite values.
        let features = try runBatch(["features", data, dir + "/feats", "--sample-rate", "8000", "--nj", "2"] + Self.audioOptions,
                                    failedTable: dir + "/feats/failed.txt", expected: corpus.bad)
        let usable = corpus.good.count + corpus.unalignable.count
        #expect(features.standardOutput.contains("Done \(usable) of \(usable + corpus.bad.count) utterances"), "\(features.standardOutput)")
        let scp = try ScriptFile(path: dir + "/feats/feats.scp")
        #expect(Set(scp.keys) == Set(corpus.good.keys).union(corpus.unalignable.keys))
        for key in scp.keys {
            let matrix = try #require(try scp.read(key).asFloatMatrix)
            #expect(matrix.rows > 0 && matrix.values.allSatisfy(\.isFinite), "\(key): non-finite features")
        }
        // The re-encoded copies give the features of the original recording (A-law and 8-bit are lossy).
        let pcm24 = try #require(try scp.read("v_pcm24").asFloatMatrix)
        let (original, _) = try WaveFile.readPCM16(TestSupport.corpus("yesno/waves_yesno/0_0_1_0_1_0_0_1.wav"))
        #expect(pcm24.rows == (original.count - 200) / 80 + 1)

        // train, straight from the data directory: a model from the good utterances; the rest listed.
        let trainFailures = corpus.bad.merging(corpus.unalignable.mapValues { _ in "transcript too long" }) { a, _ in a }
        let train = try runBatch(["train", data, lexicon, dir + "/model", "--sample-rate", "8000"] + Self.tinyNetwork + Self.audioOptions,
                                 failedTable: dir + "/model/failed.txt", expected: trainFailures)
        #expect(train.standardOutput.contains("Done: trained on \(corpus.good.count) of \(usable + corpus.bad.count) utterances"), "\(train.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: dir + "/model/final.mdl"))

        // align: a TextGrid per good utterance whose word tier is its transcript.
        _ = try runBatch(["align", dir + "/model", lexicon, data, dir + "/align", "--nj", "2"] + Self.audioOptions,
                         failedTable: dir + "/align/failed.txt", expected: trainFailures)
        let grids = try FileManager.default.contentsOfDirectory(atPath: dir + "/align/textgrids")
        #expect(Set(grids) == Set(corpus.good.keys.map { $0 + ".TextGrid" }))
        let words = try String(contentsOfFile: dir + "/align/words.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        for (utterance, transcript) in corpus.good {
            #expect(words.filter { $0[0] == utterance }.map { String($0[4]) }.joined(separator: " ") == transcript, "\(utterance)")
        }
        for file in ["phones.ctm", "words.ctm", "alignment.json", "alignment.csv"] { try expectFiniteNumbers(dir + "/align/" + file) }

        // decode: every recording with audio gets a hypothesis, the impossible transcript included.
        // (Without adaptation: align above adapts past the same broken inputs, and decode's two
        // passes would take two minutes of a debug build; AlignCommandTests decodes adapted.)
        _ = try runBatch(["decode", dir + "/model", data, dir + "/decode", "--mode", "lexicon", "--lexicon", lexicon, "--adapt", "0"] + Self.audioOptions,
                         failedTable: dir + "/decode/failed.txt", expected: corpus.bad)
        let hypotheses = try TableFile(path: dir + "/decode/text")
        #expect(Set(hypotheses.keys) == Set(corpus.good.keys).union(corpus.unalignable.keys))
        for line in hypotheses.lines { #expect(line.value.split(separator: " ").allSatisfy { $0 == "YES" || $0 == "NO" }, "\(line.value)") }
        for file in ["phones.ctm", "words.ctm", "decode.json"] { try expectFiniteNumbers(dir + "/decode/" + file) }
    }

    @Test func brokenTablesLexiconsAndLanguageModelsAreNamedAndTheRestIsUsed() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-hostile-tables")
        let data = dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let yesno = TestSupport.corpus("yesno/waves_yesno")
        let names = HostileStageCorpus.plain
        // wav.scp: a byte-order mark, CRLF line endings, reverse order.
        let wav = names.reversed().map { "\($0) \(yesno)/\($0).wav\r\n" }.joined()
        try Data([0xEF, 0xBB, 0xBF] + Array(wav.utf8)).write(to: URL(fileURLWithPath: data + "/wav.scp"))
        let punctuated = names[3], empty = names[1], oovOnly = names[2], duplicated = names[4], untranscribed = names[5]
        try TestSupport.write("""
        \(names[0]) \(HostileStageCorpus.transcript(names[0]))
        \(empty)
        \(oovOnly) HELLO WORLD
        \(punctuated) No, no; YES! no... Yes no no "NO"
        \(duplicated) \(HostileStageCorpus.transcript(duplicated))
        \(duplicated) NO
        \(names[6]) \(HostileStageCorpus.transcript(names[6]))
        \(names[7]) \(HostileStageCorpus.transcript(names[7]))

        """, to: data + "/text")
        // utt2spk lacks one utterance.
        try TestSupport.write(names.filter { $0 != names[7] }.map { "\($0) yesno\n" }.joined(), to: data + "/utt2spk")
        let lexicon = dir + "/lexicon.txt"
        try TestSupport.write(HostileStageCorpus.lexicon, to: lexicon)

        let validate = try TestSupport.run(parrot, ["validate", data, "--sample-rate", "8000"])
        #expect(validate.status == 1)
        for expected in ["wav.scp:1: starts with a UTF-8 byte-order mark", "wav.scp: has CRLF line endings", "wav.scp:2: not sorted",
                         "text:6: '\(duplicated)' duplicate key", "text: '\(empty)' empty transcript",
                         "text: '\(untranscribed)' has audio but no transcript", "utt2spk: '\(names[7])' utterance has no speaker"] {
            #expect(validate.standardOutput.contains(expected), "validate lacks '\(expected)':\n\(validate.standardOutput)")
        }

        let leftOut = [empty: "empty transcript", oovOnly: "not in the lexicon: HELLO WORLD", duplicated: "duplicate key", untranscribed: "no transcript"]
        _ = try runBatch(["train", data, lexicon, dir + "/model", "--sample-rate", "8000"] + Self.tinyNetwork,
                         failedTable: dir + "/model/failed.txt", expected: leftOut)
        #expect(try String(contentsOfFile: dir + "/model/oovs.txt", encoding: .utf8) == "\(oovOnly) HELLO WORLD\n")
        _ = try runBatch(["align", dir + "/model", lexicon, data, dir + "/align"], failedTable: dir + "/align/failed.txt", expected: leftOut)
        // Punctuation and case are normalised; keys under the byte-order mark and CRLF are intact.
        let words = try String(contentsOfFile: dir + "/align/words.ctm", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(words.filter { $0[0] == punctuated }.map { String($0[4]) } == ["NO", "NO", "YES", "NO", "YES", "NO", "NO", "NO"])
        #expect(words.contains { $0[0] == names[7] } && words.contains { $0[0] == names[0] })

        // A phone the model does not have: only the utterances that need it fail.
        let strange = dir + "/strange.txt"
        try TestSupport.write("NO N OW\nYES Y EH S\nMAYBE M EY B IY\n", to: strange)
        let maybeData = dir + "/maybe"
        try FileManager.default.copyItem(atPath: data, toPath: maybeData)
        let maybeText = try String(contentsOfFile: maybeData + "/text", encoding: .utf8).replacingOccurrences(of: "\(names[6]) ", with: "\(names[6]) MAYBE ")
        try TestSupport.write(maybeText, to: maybeData + "/text")
        _ = try runBatch(["align", dir + "/model", strange, maybeData, dir + "/maybe-align"], failedTable: dir + "/maybe-align/failed.txt",
                         expected: leftOut.merging([names[6]: "phone 'M' is not in the model's phone set (word MAYBE"]) { a, _ in a })

        // A lexicon line without phones, and an ARPA model whose counts disagree: refused, naming file and line.
        try TestSupport.write("NO N OW\nYES\n", to: dir + "/nophones.txt")
        let badLexicon = try TestSupport.run(parrot, ["align", dir + "/model", dir + "/nophones.txt", data, dir + "/x"])
        #expect(badLexicon.status == 1 && badLexicon.standardError.contains("nophones.txt:2: word 'YES' has no phones"), "\(badLexicon.standardError)")
        try TestSupport.write("\\data\\\nngram 1=9\n\n\\1-grams:\n-1 </s>\n-99 <s>\n-0.5 YES\n-0.5 NO\n\n\\end\\\n", to: dir + "/bad.arpa")
        let badArpa = try TestSupport.run(parrot, ["decode", dir + "/model", data, dir + "/y", "--mode", "lexicon", "--lexicon", lexicon, "--lm", dir + "/bad.arpa"])
        #expect(badArpa.status == 1 && badArpa.standardError.contains("bad.arpa") && badArpa.standardError.contains("declares 9 1-grams but the file lists 4"),
                "\(badArpa.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/y/text"), "no output from a run refused at the start")
    }

    @Test func damagedModelsAndFeatureArchivesAreNamedAndTheRestIsUsed() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-hostile-models")
        let data = dir + "/data"
        let names = HostileStageCorpus.plain
        try HostileStageCorpus.writeDataDirectory(at: data)
        let lexicon = dir + "/lexicon.txt"
        try TestSupport.write(HostileStageCorpus.lexicon, to: lexicon)
        let features = try TestSupport.run(parrot, ["features", data, dir + "/feats", "--sample-rate", "8000", "--nj", "2"])
        try #require(features.status == 0, "\(features.standardError)")
        let train = try TestSupport.run(parrot, ["train", dir + "/feats", lexicon, dir + "/model"] + Self.tinyNetwork)
        try #require(train.status == 0, "\(train.standardError)")

        // A truncated model and one that is not a model at all.
        let model = try Data(contentsOf: URL(fileURLWithPath: dir + "/model/final.mdl"))
        try model.prefix(model.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.mdl"))
        try TestSupport.write("not a model\n", to: dir + "/text.mdl")
        for (file, message) in [("cut.mdl", "truncated model file"), ("text.mdl", "not a Parrot model")] {
            for command in [["align", dir + "/" + file, lexicon, dir + "/feats", dir + "/out-" + file],
                            ["decode", dir + "/" + file, dir + "/feats", dir + "/out-" + file]] {
                let run = try TestSupport.run(parrot, command)
                #expect(run.status == 1 && run.standardError.contains(file) && run.standardError.contains(message), "\(command[0]) \(file): \(run.standardError)")
            }
        }
        // A starting model from another phone set is refused before any work.
        try TestSupport.write("NO N AO\nYES Y EH S\n", to: dir + "/other.txt")
        let other = try TestSupport.run(parrot, ["train", dir + "/feats", dir + "/other.txt", dir + "/model2", "--init-model", dir + "/model"] + Self.tinyNetwork)
        #expect(other.status == 1 && other.standardError.contains("phone 'AO' is not in the model's phone set"), "\(other.standardError)")

        // A feature archive cut in the middle, and an scp offset past the end of its archive.
        let scp = try ScriptFile(path: dir + "/feats/feats.scp")
        let cutArchive = try #require(scp.location(of: names.last!)?.path)
        let cutAt = try #require(scp.location(of: names.last!)?.offset) + 100
        let inCutArchive = scp.keys.filter { scp.location(of: $0)?.path == cutArchive && (scp.location(of: $0)?.offset ?? 0) >= cutAt - 100 }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: cutArchive))
        try handle.truncate(atOffset: UInt64(cutAt))
        try handle.close()
        var text = try String(contentsOfFile: dir + "/feats/feats.scp", encoding: .utf8)
        let pastEnd = names[0]
        let location = try #require(scp.location(of: pastEnd))
        text = text.replacingOccurrences(of: "\(pastEnd) \(location.path):\(location.offset!)", with: "\(pastEnd) \(location.path):99999999")
        try TestSupport.write(text, to: dir + "/feats/feats.scp")
        var damaged = [pastEnd: "past the end of the file"]
        for key in inCutArchive { damaged[key] = key == names.last! ? "file ends early" : "past the end of the file" }
        _ = try runBatch(["align", dir + "/model", lexicon, dir + "/feats", dir + "/align"], failedTable: dir + "/align/failed.txt", expected: damaged)
        _ = try runBatch(["decode", dir + "/model", dir + "/feats", dir + "/decode"], failedTable: dir + "/decode/failed.txt", expected: damaged)
        #expect(Set(try TableFile(path: dir + "/decode/text").keys) == Set(names).subtracting(damaged.keys))
        _ = try runBatch(["train", dir + "/feats", lexicon, dir + "/model3"] + Self.tinyNetwork, failedTable: dir + "/model3/failed.txt", expected: damaged)
    }

    /// A 2-hour recording: features are computed while it streams, so the process needs memory
    /// for the features (720,000 frames × 40 floats, 115 MB) but not for the 115 million samples
    /// (460 MB as floats at 16 kHz) or copies of them.
    @Test func aTwoHourRecordingNeedsMemoryForItsFeaturesOnly() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-long")
        let (samples, _) = try WaveFile.readPCM16(TestSupport.corpus("yesno/waves_yesno/0_0_0_0_1_1_1_1.wav"))
        let one = WaveFile.bytes(samples: samples, sampleRate: 8000)
        let data = Array(one.dropFirst(44))
        let repeats = 7200 * 8000 / samples.count + 1
        let header = WaveFile.bytes(samples: [], sampleRate: 8000, declaredDataBytes: data.count * repeats)
        _ = FileManager.default.createFile(atPath: dir + "/long.wav", contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/long.wav"))
        try handle.write(contentsOf: header)
        for _ in 0..<repeats { try handle.write(contentsOf: data) }
        try handle.close()
        try TestSupport.write("long \(dir)/long.wav\n", to: dir + "/wav.scp")

        let measured = try TestSupport.python("""
        import resource, subprocess
        r = subprocess.run(['\(parrot)', 'features', '\(dir)', '\(dir)/out'], capture_output=True, text=True)
        print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
        print(r.stdout + r.stderr)
        """)
        let fields = measured.split(separator: "\n")[0].split(separator: " ")
        #expect(fields[0] == "0", "\(measured)")
        let frames = (repeats * samples.count * 2 - 400) / 160 + 1
        let scp = try ScriptFile(path: dir + "/out/feats.scp")
        let features = try #require(try scp.read("long").asFloatMatrix)
        #expect(features.rows == frames && features.columns == 40)
        let featureBytes = frames * 40 * 4
        let peak = try #require(Int(fields[1]))
        // Sanitizer builds (PARROT_SANITIZED_RUN=1, see README) add shadow memory and quarantine.
        if ProcessInfo.processInfo.environment["PARROT_SANITIZED_RUN"] == nil {
            #expect(peak < featureBytes + 80 << 20, "peak memory \(peak >> 20) MB for \(featureBytes >> 20) MB of features")
        }
    }
}
