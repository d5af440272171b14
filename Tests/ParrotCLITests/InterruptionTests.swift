import Core
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// Issue 8's interruption tests: `features`, `train`, `align` and `decode` killed with SIGKILL at
/// random moments, several times over. After every kill each file under its final name must be
/// whole (only `NAME.tmp-PID` files and `.partial-PID` staging directories may hold partial
/// outputs; the next run removes them); re-running the same command must finish the
/// job with the output of an uninterrupted run — for training, by resuming from its checkpoints.
@Suite(.serialized) struct InterruptionTests {
    let parrot = TestSupport.parrotBinary
    /// Kill moments come from this seed (PARROT_KILL_SEED overrides it), as shares of an uninterrupted run's time.
    static let seed = UInt64(ProcessInfo.processInfo.environment["PARROT_KILL_SEED"] ?? "") ?? 8

    /// Starts `arguments` and kills it with SIGKILL after `seconds`. - Returns: true if it was still running.
    private func killedRun(_ arguments: [String], after seconds: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: parrot)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        let wasRunning = process.isRunning
        if wasRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return wasRunning
    }

    /// Every file under its final name in `directory` is complete: archives and scp files read
    /// to the end, models pass their checksum, JSON parses, text files end with a newline.
    private func expectOnlyWholeFiles(in directory: String, after label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let files = FileManager.default.enumerator(atPath: directory) else { return }
        for case let relative as String in files {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !relative.contains(".tmp-"), !relative.contains(".partial-"), let data = FileManager.default.contents(atPath: path) else { continue }
            let name = (relative as NSString).lastPathComponent
            let whole: Bool
            if name.hasSuffix(".ark") {
                whole = (try? KaldiArchiveReader.readAll(path: path)) != nil
            } else if name.hasSuffix(".scp") && name != "wav.scp" {
                whole = (try? ScriptFile(path: path)).map { scp in scp.keys.allSatisfy { (try? scp.read($0)) != nil } } ?? false
            } else if name.hasSuffix(".mdl") {
                let bytes = [UInt8](data)
                var hash: UInt32 = 2_166_136_261
                for b in bytes.dropLast(4) { hash = (hash ^ UInt32(b)) &* 16_777_619 }
                whole = bytes.count > 4 && bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) } == hash
            } else if name.hasSuffix(".json") {
                whole = (try? JSONSerialization.jsonObject(with: data)) != nil
            } else if name == "checkpoint" {
                whole = !data.isEmpty
            } else {
                whole = data.isEmpty || data.last == UInt8(ascii: "\n")
            }
            #expect(whole, "\(label): \(relative) is not whole", sourceLocation: sourceLocation)
        }
    }

    /// Kills `arguments` three times at random moments, checking the files after each kill, then
    /// lets it finish. - Returns: how many runs were killed while still working.
    private func interrupt(_ arguments: [String], output: String, typicalSeconds: Double, generator: inout SeededGenerator,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        var killed = 0
        for attempt in 1...3 {
            let share = 0.05 + 0.9 * Double(generator.next() % 1000) / 1000
            if try killedRun(arguments, after: share * typicalSeconds) { killed += 1 }
            expectOnlyWholeFiles(in: output, after: "\(arguments[0]) killed at \(Int(share * 100))% (kill \(attempt))", sourceLocation: sourceLocation)
        }
        let finish = try TestSupport.run(parrot, arguments)
        #expect(finish.status == 0, "\(arguments[0]) after kills: \(finish.standardError)", sourceLocation: sourceLocation)
        expectOnlyWholeFiles(in: output, after: "\(arguments[0]) finished", sourceLocation: sourceLocation)
        let leftovers = (FileManager.default.enumerator(atPath: output)?.allObjects as? [String] ?? []).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty, "\(arguments[0]): staging left behind: \(leftovers.prefix(3))", sourceLocation: sourceLocation)
        return killed
    }

    private func timed(_ arguments: [String]) throws -> Double {
        let start = Date()
        let run = try TestSupport.run(parrot, arguments)
        try #require(run.status == 0, "\(arguments[0]): \(run.standardError)")
        return Date().timeIntervalSince(start)
    }

    @Test(.requiresCorpus(.yesno)) func killedStagesLeaveWholeFilesAndFinishWhenRunAgain() throws {
        let dir = try TestSupport.temporaryDirectory("parrot-kill")
        let data = dir + "/data"
        try HostileStageCorpus.writeDataDirectory(at: data)
        try TestSupport.write(HostileStageCorpus.lexicon, to: dir + "/lexicon.txt")
        let network = ["--rounds", "3", "--local-rounds", "1", "--epochs", "3", "--layers", "1", "--hidden", "16"]
        func commands(_ tag: String) -> [(name: String, arguments: [String], output: String)] {
            [("features", ["features", data, dir + "/feats" + tag, "--sample-rate", "8000", "--nj", "2"], dir + "/feats" + tag),
             ("train", ["train", dir + "/feats" + tag, dir + "/lexicon.txt", dir + "/model" + tag] + network, dir + "/model" + tag),
             ("align", ["align", dir + "/model" + tag, dir + "/lexicon.txt", data, dir + "/align" + tag], dir + "/align" + tag),
             ("decode", ["decode", dir + "/model" + tag, data, dir + "/decode" + tag, "--mode", "lexicon", "--lexicon", dir + "/lexicon.txt"], dir + "/decode" + tag)]
        }
        // Uninterrupted reference runs, timed.
        var seconds = [String: Double]()
        for command in commands("-reference") { seconds[command.name] = try timed(command.arguments) }

        var generator = SeededGenerator(seed: Self.seed)
        var killed = 0
        for command in commands("") {
            killed += try interrupt(command.arguments, output: command.output, typicalSeconds: seconds[command.name]!, generator: &generator)
        }
        #expect(killed >= 6, "most kills should land while the command works (seed \(Self.seed))")

        // The interrupted-and-resumed runs produced what the uninterrupted ones did.
        let reference = commands("-reference"), resumed = commands("")
        let features = try ScriptFile(path: resumed[0].output + "/feats.scp"), expected = try ScriptFile(path: reference[0].output + "/feats.scp")
        #expect(features.keys == expected.keys)
        for key in features.keys { #expect(try features.read(key) == expected.read(key), "features of \(key)") }
        for (index, file) in [(1, "final.mdl"), (2, "words.ctm"), (2, "phones.ctm"), (3, "text")] {
            #expect(FileManager.default.contents(atPath: resumed[index].output + "/" + file) == FileManager.default.contents(atPath: reference[index].output + "/" + file),
                    "\(resumed[index].name): \(file) differs from the uninterrupted run's (seed \(Self.seed))")
        }
    }
}
