import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct DataDirectoryValidatorTests {
    @Test(.requiresCorpus(.fsdd)) func reportsEveryProblemAtOnce() throws {
        let dir = try TestSupport.temporaryDirectory()
        let rec = TestSupport.corpus("fsdd/recordings")
        FileManager.default.createFile(atPath: dir + "/empty.wav", contents: Data())
        try TestSupport.write("""
        a \(rec)/0_george_0.wav
        c \(rec)/2_george_0.wav
        b \(rec)/1_george_0.wav
        d \(dir)/empty.wav
        e \(dir)/missing.wav
        a \(rec)/0_george_1.wav

        """, to: dir + "/wav.scp")
        try TestSupport.write("b ONE\nc \nd TWO\ne THREE\nz FOUR\n", to: dir + "/text")
        try TestSupport.write("b george\nc george\nd george\ne george\n", to: dir + "/utt2spk")
        try TestSupport.write("george b c\n", to: dir + "/spk2utt")
        let report = DataDirectoryValidator().validate(try DataDirectory(path: dir))
        let errors = report.problems.filter { $0.severity == .error }
        func has(_ key: String?, _ file: String, _ text: String) -> Bool {
            errors.contains { $0.key == key && $0.file == file && $0.message.contains(text) }
        }
        #expect(has("a", "wav.scp", "duplicate key"))
        #expect(has("c", "text", "empty transcript"))
        #expect(has("z", "text", "no audio"))
        #expect(has("d", "wav.scp", "empty"))
        #expect(has("e", "wav.scp", "no such file"))
        #expect(has("george", "spk2utt", "does not agree"))
        #expect(report.problems.contains { $0.severity == .warning && $0.file == "wav.scp" && $0.message.contains("not sorted") })
        #expect(report.errorCount == 6, "\(errors)")
        #expect(report.sampleRates == [8000: 2])
    }

    @Test(.requiresCorpus(.yesno)) func cleanDirectoryHasNoErrors() throws {
        let dir = try TestSupport.temporaryDirectory()
        let rec = TestSupport.corpus("yesno/waves_yesno")
        try TestSupport.write("0_0_0_0_1_1_1_1 \(rec)/0_0_0_0_1_1_1_1.wav\n", to: dir + "/wav.scp")
        try TestSupport.write("0_0_0_0_1_1_1_1 NO NO NO NO YES YES YES YES\n", to: dir + "/text")
        try TestSupport.write("0_0_0_0_1_1_1_1 global\n", to: dir + "/utt2spk")
        try TestSupport.write("global 0_0_0_0_1_1_1_1\n", to: dir + "/spk2utt")
        let report = DataDirectoryValidator().validate(try DataDirectory(path: dir))
        #expect(report.errorCount == 0, "\(report.problems)")
        #expect(report.warningCount == 0, "\(report.problems)")
        #expect(abs(report.audioSeconds - 6.0) < 0.5)
    }
}
