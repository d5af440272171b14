import Foundation
import ParrotTestSupport
import Testing

/// Where the real corpora are found (recipes/common/corpora.sh, and the tests' own lookup in
/// TestSupport), and how `./setup.sh --corpora` fetches them (recipes/common/download_corpora.sh).
/// None of these tests needs a corpus or a network: local archives stand in for the downloads.
@Suite struct CorporaScriptTests {
    static let common = TestSupport.packageRoot.appendingPathComponent("recipes/common").path
    static let download = common + "/download_corpora.sh"

    /// This process's environment without the variables these scripts read.
    static var cleanEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["PARROT_CORPORA", "PARROT_FSDD_URL", "PARROT_FSDD_SHA256", "PARROT_YESNO_URL", "PARROT_YESNO_SHA256"] {
            environment[name] = nil
        }
        return environment
    }

    /// Runs `find_corpora FLAG` from a copy of corpora.sh in `project`/recipes/common.
    static func findCorpora(project: String, flag: String = "", environment: [String: String]) throws -> TestSupport.ProcessResult {
        try TestSupport.run("/bin/bash", ["-c", "source \"$0/recipes/common/corpora.sh\" && find_corpora \"$1\"", project, flag],
                            environment: environment)
    }

    @Test func lookupTakesTheFlagThenTheEnvironmentThenSharedThenTheProjectsOwnFolder() throws {
        let root = try TestSupport.temporaryDirectory("parrot-lookup")
        let project = root + "/parrot", shared = root + "/shared/corpora", inside = project + "/corpora"
        let elsewhere = root + "/elsewhere", flagged = root + "/flagged"
        for folder in [project + "/recipes/common", shared, inside, elsewhere, flagged] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: Self.common + "/corpora.sh", toPath: project + "/recipes/common/corpora.sh")
        let projectURL = URL(fileURLWithPath: project)

        /// The shell's answer, checked against the Swift lookup's for the same environment.
        func shellAndSwift(flag: String = "", corpora: String? = nil) throws -> (status: Int32, found: String, message: String) {
            var environment = Self.cleanEnvironment
            environment["PARROT_CORPORA"] = corpora
            let result = try Self.findCorpora(project: project, flag: flag, environment: environment)
            let found = result.standardOutput.trimmingCharacters(in: .newlines)
            if flag.isEmpty {
                let swift = TestSupport.findCorpora(environment: corpora.map { ["PARROT_CORPORA": $0] } ?? [:], packageRoot: projectURL)
                #expect(swift?.path == (result.status == 0 ? found : nil), "the Swift and shell lookups disagree")
            }
            return (result.status, found, result.standardError)
        }

        #expect(try shellAndSwift().found == shared)
        #expect(try shellAndSwift(corpora: elsewhere).found == elsewhere)
        #expect(try shellAndSwift(flag: flagged, corpora: elsewhere).found == flagged)
        try FileManager.default.removeItem(atPath: shared)
        #expect(try shellAndSwift().found == inside)
        // A folder named explicitly that is not there is an error, not a reason to look further.
        let named = try shellAndSwift(corpora: root + "/typo")
        #expect(named.status == 1 && named.found.isEmpty)
        #expect(named.message.contains("PARROT_CORPORA names '\(root)/typo', which is not a folder"), "\(named.message)")
        try FileManager.default.removeItem(atPath: inside)
        let none = try shellAndSwift()
        #expect(none.status == 1 && none.found.isEmpty)
        #expect(none.message.contains("looked in \(shared) and \(inside)"), "\(none.message)")
        #expect(none.message.contains("./setup.sh --corpora"))
    }

    /// A gzipped tar archive of `files` (path inside the archive → contents) in `dir`, and its SHA-256.
    static func archive(_ files: [String: Data], named name: String, in dir: String) throws -> (url: String, sha256: String) {
        let source = dir + "/" + name + ".source"
        for (path, contents) in files {
            let url = URL(fileURLWithPath: source + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
        }
        let path = dir + "/" + name + ".tar.gz"
        let tar = try TestSupport.run("/usr/bin/env", ["tar", "-czf", path, "-C", source] + files.keys.sorted())
        guard tar.status == 0 else { throw TestFailure("tar failed: \(tar.standardError)") }
        let sum = try TestSupport.run("/usr/bin/env", ["sha256sum", path])
        return ("file://" + path, String(sum.standardOutput.prefix(64)))
    }

    static let wave = Data(WaveFile.bytes(samples: [0, 0.5, -0.5, 0], sampleRate: 8000))

    @Test func downloadChecksAndUnpacksEachArchiveToTheLayoutTheRecipesRead() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-download")
        let fsdd = try Self.archive(["free-spoken-digit-dataset-1.0.9/recordings/7_jackson_32.wav": Self.wave,
                                     "free-spoken-digit-dataset-1.0.9/recordings/0_george_0.wav": Self.wave,
                                     "free-spoken-digit-dataset-1.0.9/README.md": Data("FSDD".utf8)], named: "fsdd", in: dir)
        let yesno = try Self.archive(["waves_yesno/0_0_1_0_1_0_0_1.wav": Self.wave, "waves_yesno/README": Data("yesno".utf8)],
                                     named: "yesno", in: dir)
        var environment = Self.cleanEnvironment
        environment["PARROT_FSDD_URL"] = fsdd.url
        environment["PARROT_FSDD_SHA256"] = fsdd.sha256
        environment["PARROT_YESNO_URL"] = yesno.url
        environment["PARROT_YESNO_SHA256"] = yesno.sha256
        let dest = dir + "/corpora"
        let result = try TestSupport.run(Self.download, ["--dest", dest], environment: environment)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("fsdd: 2 recordings in \(dest)/fsdd/recordings"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("yesno: 1 recordings in \(dest)/yesno/waves_yesno"))
        let files = FileManager.default
        #expect(try files.contentsOfDirectory(atPath: dest).sorted() == ["fsdd", "yesno"], "no temporary files left")
        #expect(try files.contentsOfDirectory(atPath: dest + "/fsdd").sorted() == ["recordings"])
        #expect(try files.contentsOfDirectory(atPath: dest + "/fsdd/recordings").sorted() == ["0_george_0.wav", "7_jackson_32.wav"])
        #expect(try files.contentsOfDirectory(atPath: dest + "/yesno/waves_yesno").sorted() == ["0_0_1_0_1_0_0_1.wav", "README"])
        #expect(files.contents(atPath: dest + "/yesno/waves_yesno/0_0_1_0_1_0_0_1.wav") == Self.wave)

        // A second run leaves what is there alone, even with a source that would now be refused.
        environment["PARROT_YESNO_SHA256"] = String(repeating: "0", count: 64)
        let again = try TestSupport.run(Self.download, ["--dest", dest, "yesno"], environment: environment)
        #expect(again.status == 0 && again.standardOutput.contains("yesno: already in \(dest)/yesno/waves_yesno"), "\(again.standardOutput)")
    }

    /// Runs the download of yesno alone into a new folder under `dir` and returns the result
    /// and what the folder holds afterwards.
    static func downloadYesno(into dir: String, url: String, sha256: String?) throws -> (result: TestSupport.ProcessResult, left: [String]) {
        var environment = Self.cleanEnvironment
        environment["PARROT_YESNO_URL"] = url
        environment["PARROT_YESNO_SHA256"] = sha256
        let dest = dir + "/corpora"
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        let result = try TestSupport.run(Self.download, ["--dest", dest, "yesno"], environment: environment)
        return (result, try FileManager.default.contentsOfDirectory(atPath: dest))
    }

    @Test func anArchiveWhoseChecksumDiffersIsRefusedAndNothingIsLeft() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-download")
        let yesno = try Self.archive(["waves_yesno/0_0_1_0_1_0_0_1.wav": Self.wave], named: "yesno", in: dir)
        // The checksum pinned in the script: a stand-in archive cannot have it.
        let (result, left) = try Self.downloadYesno(into: dir, url: yesno.url, sha256: nil)
        #expect(result.status == 1)
        #expect(result.standardError.contains("yesno: checksum mismatch for \(yesno.url)"), "\(result.standardError)")
        #expect(result.standardError.contains("got \(yesno.sha256)"))
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func withoutNetworkTheDownloadFailsClearlyAndNothingIsLeft() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-download")
        // Nothing listens on the loopback discard port: the connection is refused at once, as
        // on a machine without network.
        let url = "http://127.0.0.1:9/resources/1/waves_yesno.tar.gz"
        let (result, left) = try Self.downloadYesno(into: dir, url: url, sha256: nil)
        #expect(result.status == 1)
        #expect(result.standardError.contains("yesno: could not download \(url) (no network"), "\(result.standardError)")
        #expect(result.standardError.contains("nothing was written"))
        #expect(left.isEmpty, "left behind: \(left)")

        // Without --dest and with a new folder, the folder itself is not left behind either.
        var environment = Self.cleanEnvironment
        environment["PARROT_YESNO_URL"] = url
        let fresh = dir + "/new/corpora"
        let again = try TestSupport.run(Self.download, ["--dest", fresh, "yesno"], environment: environment)
        #expect(again.status == 1)
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }

    @Test func anArchiveWithoutTheCorpusFolderIsRefusedAndNothingIsLeft() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-download")
        let wrong = try Self.archive(["something_else/0_0_1_0_1_0_0_1.wav": Self.wave], named: "wrong", in: dir)
        let (result, left) = try Self.downloadYesno(into: dir, url: wrong.url, sha256: wrong.sha256)
        #expect(result.status == 1)
        #expect(result.standardError.contains("has no single waves_yesno/ folder"), "\(result.standardError)")
        #expect(left.isEmpty, "left behind: \(left)")

        let noAudio = try Self.archive(["waves_yesno/README": Data("no recordings".utf8)], named: "empty", in: dir)
        let (empty, emptyLeft) = try Self.downloadYesno(into: dir + "/2", url: noAudio.url, sha256: noAudio.sha256)
        #expect(empty.status == 1)
        #expect(empty.standardError.contains("holds no .wav files"), "\(empty.standardError)")
        #expect(emptyLeft.isEmpty, "left behind: \(emptyLeft)")
    }

    @Test func setupRejectsUnknownOptionsAndNamesItsOwn() throws {
        let setup = TestSupport.packageRoot.appendingPathComponent("setup.sh").path
        let result = try TestSupport.run(setup, ["--corpus"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("unknown option '--corpus'; usage: ./setup.sh [--no-install] [--corpora]"), "\(result.standardError)")
        let download = try TestSupport.run(Self.download, ["timit"])
        #expect(download.status == 2)
        #expect(download.standardError.contains("unknown corpus or option 'timit'"))
    }
}
