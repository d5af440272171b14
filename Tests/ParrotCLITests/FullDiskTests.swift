import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// Issue 8: writing to a full disk gives a clear error and leaves the previous outputs intact.
/// The disk is a small tmpfs mounted for the test; where mounting is not allowed, a file-size
/// limit (ulimit -f) makes the writes fail the same way (EFBIG instead of ENOSPC).
@Suite(.serialized) struct FullDiskTests {
    let parrot = TestSupport.parrotBinary

    /// A tmpfs of `kilobytes` at a new directory, or nil if this machine does not allow mounting.
    private func mountSmallDisk(kilobytes: Int) throws -> String? {
        let dir = try TestSupport.temporaryDirectory("parrot-disk")
        let mount = try TestSupport.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", dir])
        return mount.status == 0 ? dir : nil
    }

    /// Runs parrot, under a per-file size limit of `limitKilobytes` when given.
    private func run(_ arguments: [String], limitKilobytes: Int?) throws -> TestSupport.ProcessResult {
        guard let limitKilobytes else { return try TestSupport.run(parrot, arguments) }
        // dash's ulimit -f counts 512-byte blocks.
        return try TestSupport.run("/bin/sh", ["-c", "ulimit -f \(limitKilobytes * 2); exec \"$0\" \"$@\"", parrot] + arguments)
    }

    /// Every file under `directory` with its contents.
    private func snapshot(_ directory: String) -> [String: Data] {
        var files = [String: Data]()
        for case let relative as String in FileManager.default.enumerator(atPath: directory) ?? FileManager.default.enumerator(atPath: "/nonexistent")! {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = FileManager.default.contents(atPath: path)
            }
        }
        return files
    }

    @Test(.requiresCorpus(.yesno)) func writesThatRunOutOfSpaceFailClearlyAndKeepThePreviousOutputs() throws {
        let work = try TestSupport.temporaryDirectory("parrot-disk-data")
        let names = HostileStageCorpus.plain
        try HostileStageCorpus.writeDataDirectory(at: work + "/one", names: [names[0]])
        try HostileStageCorpus.writeDataDirectory(at: work + "/all")
        try TestSupport.write(HostileStageCorpus.lexicon, to: work + "/lexicon.txt")

        let disk = try mountSmallDisk(kilobytes: 320)
        defer { if let disk { _ = try? TestSupport.run("/bin/umount", [disk]) } }
        let out = try disk ?? TestSupport.temporaryDirectory("parrot-disk-limited")
        let limit: Int? = disk == nil ? 200 : nil
        let expectedError = disk == nil ? "File too large" : "No space left on device"

        // Features: one recording fits; all eight do not.
        let first = try run(["features", work + "/one", out + "/feats", "--sample-rate", "8000"], limitKilobytes: limit)
        try #require(first.status == 0, "\(first.standardError)")
        let before = snapshot(out + "/feats")
        let full = try run(["features", work + "/all", out + "/feats", "--sample-rate", "8000", "--nj", "1"], limitKilobytes: limit)
        #expect(full.status == 1)
        #expect(full.standardError.contains(out + "/feats") && full.standardError.contains(expectedError), "\(full.standardError)")
        #expect(!full.standardError.contains("Fatal error"))
        #expect(snapshot(out + "/feats") == before, "the previous features changed")
        #expect(try ScriptFile(path: out + "/feats/feats.scp").keys == [names[0]])

        // Alignment: a first run's outputs survive a second run that cannot write its own.
        let features = try TestSupport.run(parrot, ["features", work + "/all", work + "/feats", "--sample-rate", "8000"])
        try #require(features.status == 0, "\(features.standardError)")
        let train = try TestSupport.run(parrot, ["train", work + "/feats", work + "/lexicon.txt", work + "/model", "--rounds", "2", "--local-rounds", "1",
                                                 "--epochs", "1", "--layers", "1", "--hidden", "8"])
        try #require(train.status == 0, "\(train.standardError)")
        let one = try TestSupport.run(parrot, ["align", work + "/model", work + "/lexicon.txt", work + "/feats", out + "/align"]
                                      + ["--nj", "1"])
        try #require(one.status == 0, "\(one.standardError)")
        let aligned = snapshot(out + "/align")
        if let disk {
            // Leave 8 kB free: less than eight TextGrids and the rest need.
            let free = try #require(try FileManager.default.attributesOfFileSystem(forPath: disk)[.systemFreeSize] as? Int)
            try Data(count: max(0, free - 8192)).write(to: URL(fileURLWithPath: disk + "/filler"))
        }
        let again = try run(["align", work + "/model", work + "/lexicon.txt", work + "/feats", out + "/align", "--min-duration", "2"],
                            limitKilobytes: disk == nil ? 4 : nil)
        #expect(again.status == 1)
        #expect(again.standardError.contains(out + "/align") && again.standardError.contains(expectedError), "\(again.standardError)")
        #expect(snapshot(out + "/align") == aligned, "the previous alignment changed")
    }
}
