import Core
import Foundation
import ParrotTestSupport
import Testing

/// Outputs written as results arrive (`JSONArrayWriter`, `WorkerPool.runInBlocks`).
@Suite struct StreamingOutputTests {
    /// The array written element by element is the whole array's pretty, key-sorted JSON plus a
    /// newline, with nested and empty arrays, and with no element at all.
    @Test(arguments: [0, 1, 3])
    func theStreamedArrayIsTheWholeArraysJSON(count: Int) throws {
        let dir = try TestSupport.temporaryDirectory()
        let elements: [[String: Any]] = (0..<count).map { i in
            ["utterance": "u\(i)", "phones": i == 1 ? [[String: Any]]() : [["label": "SIL", "start": 0.0, "end": 0.25 * Double(i)]],
             "duration": 1.5, "nested": ["b": [1, 2], "a": "x"]]
        }
        let writer = try JSONArrayWriter(path: dir + "/a.json")
        for element in elements { try writer.append(element) }
        try writer.commit()
        let whole = String(decoding: try JSONSerialization.data(withJSONObject: elements, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self) + "\n"
        #expect(try String(contentsOfFile: dir + "/a.json", encoding: .utf8) == whole)
    }

    /// Writes smaller than the buffer, exactly its size, larger (handed to the kernel directly),
    /// from arrays, slices and raw bytes, in any mix: the file is their concatenation in order,
    /// and `size` counts every byte.
    @Test func bufferedAndDirectWritesKeepTheirOrder() throws {
        let dir = try TestSupport.temporaryDirectory()
        let buffer = 16
        let pieces: [[UInt8]] = [Array(0..<5), Array(5..<21), [21], Array(22..<38), Array(38..<90), Array(90..<100), [], Array(100..<116), Array(116..<117)]
        let file = try AtomicFile(path: dir + "/a.bin", bufferSize: buffer)
        for (i, piece) in pieces.enumerated() {
            switch i % 3 {
            case 0: try file.write(piece)
            case 1: try file.write(piece[...])
            default: try piece.withUnsafeBytes { try file.write($0) }
            }
        }
        #expect(file.size == 117)
        try file.commit()
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/a.bin"))) == pieces.flatMap { $0 })
    }

    /// Blocks arrive in order with only their successes; failures come back in key order with
    /// their reasons; progress counts over every key.
    @Test func blocksArriveInOrderAndFailuresAreKept() throws {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd" } }
        let keys = (0..<25).map { String(format: "k%02d", $0) }
        var seen = [[String]]()
        var reports = [Int]()
        let (count, failures) = try WorkerPool.runInBlocks(keys, blockSize: 10, jobs: 2, state: { 0 }, progress: { done, total in
            #expect(total == 25)
            reports.append(done)
        }) { batch, _ in
            batch.map { key in Int(key.dropFirst())! % 2 == 1 ? .failure(Odd()) : .success(key.uppercased()) }
        } consume: { block, results in
            #expect(block == Array(keys[(10 * seen.count)..<min(25, 10 * seen.count + 10)]))
            seen.append(results.map(\.key))
            #expect(results.allSatisfy { $0.value == $0.key.uppercased() })
        }
        #expect(count == 13)
        #expect(seen == [["k00", "k02", "k04", "k06", "k08"], ["k10", "k12", "k14", "k16", "k18"], ["k20", "k22", "k24"]])
        #expect(failures.map(\.0) == keys.filter { Int($0.dropFirst())! % 2 == 1 })
        #expect(failures.allSatisfy { $0.1 == "odd" })
        #expect(reports.max() == 25 && reports.count == 25)
    }
}

/// `AtomicFile.link`: the model trainer's final.mdl names the last epoch's file.
@Suite struct AtomicLinkTests {
    @Test func aLinkReplacesThePathWholeAndSharesTheBytes() throws {
        let dir = try TestSupport.temporaryDirectory()
        try AtomicFile.write("epoch 2\n", to: dir + "/epoch-2.mdl")
        try AtomicFile.write("an older, longer final model\n", to: dir + "/final.mdl")
        try AtomicFile.link(dir + "/epoch-2.mdl", to: dir + "/final.mdl")
        #expect(try String(contentsOfFile: dir + "/final.mdl", encoding: .utf8) == "epoch 2\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/final.mdl")
        #expect((attributes[.referenceCount] as? Int) == 2)
        // Writing final.mdl again replaces the link, never the epoch's file.
        try AtomicFile.write("epoch 3\n", to: dir + "/final.mdl")
        #expect(try String(contentsOfFile: dir + "/epoch-2.mdl", encoding: .utf8) == "epoch 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["epoch-2.mdl", "final.mdl"])
        #expect(throws: FileError.self) { try AtomicFile.link(dir + "/missing.mdl", to: dir + "/other.mdl") }
    }
}
