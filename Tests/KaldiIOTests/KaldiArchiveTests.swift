import Core
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

@Suite struct KaldiArchiveTests {
    let matrix = Matrix(rows: 3, columns: 2, values: [1.5, -2, 0.25, 1e-7, 3.4e38, -0])
    let doubles = DoubleMatrix(rows: 2, columns: 3, values: [1, 2, 3, 0.1, 1e300, -5])

    @Test func binaryArchiveRoundTripsEveryObjectType() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir + "/a.ark"
        let writer = try KaldiArchiveWriter(path: path)
        try writer.write(key: "m", .floatMatrix(matrix))
        try writer.write(key: "d", .doubleMatrix(doubles))
        try writer.write(key: "v", .floatVector([1, 2, 3]))
        try writer.write(key: "i", .intVector([5, -1, 0, 2_000_000_000]))
        try writer.write(key: "empty", .floatMatrix(Matrix(rows: 0, columns: 0)))
        try writer.commit()
        let entries = try KaldiArchiveReader.readAll(path: path)
        #expect(entries.map(\.key) == ["m", "d", "v", "i", "empty"])
        #expect(entries[0].object == .floatMatrix(matrix))
        #expect(entries[1].object == .doubleMatrix(doubles))
        #expect(entries[2].object == .floatVector([1, 2, 3]))
        #expect(entries[3].object == .intVector([5, -1, 0, 2_000_000_000]))
        #expect(entries[4].object == .floatMatrix(Matrix(rows: 0, columns: 0)))
    }

    @Test func binaryMatrixHasKaldisExactByteLayout() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        let location = try writer.write(key: "utt1", .floatMatrix(Matrix(rows: 1, columns: 1, values: [1])))
        try writer.commit()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/a.ark")))
        // "utt1 " "\0B" "FM " "\4" rows "\4" cols float(1.0)
        let expected: [UInt8] = Array("utt1 ".utf8) + [0, 0x42] + Array("FM ".utf8) + [4, 1, 0, 0, 0, 4, 1, 0, 0, 0] + [0, 0, 0x80, 0x3F]
        #expect(bytes == expected)
        #expect(location.offset == 5, "the scp offset points at the \\0B marker")
    }

    @Test func scriptFileOffsetsGiveRandomAccess() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        for i in 0..<20 {
            try writer.write(key: "u\(i)", .floatMatrix(Matrix(rows: i + 1, columns: 3, values: (0..<(3 * (i + 1))).map { Float($0 * i) })))
        }
        try writer.commit()
        try ScriptFile.write(writer.entries, to: dir + "/a.scp")
        let scp = try ScriptFile(path: dir + "/a.scp")
        for i in [13, 0, 19, 7] {
            let m = try scp.read("u\(i)").asFloatMatrix!
            #expect(m.rows == i + 1)
            #expect(m[m.rows - 1, 2] == Float((3 * (i + 1) - 1) * i))
        }
    }

    /// The packed index against a dictionary: keys that are prefixes of each other, out of byte
    /// order, multi-byte, two archives and a bare file; file order kept; repeated keys find the last.
    @Test func scriptFileIndexFindsWhatADictionaryFinds() throws {
        let dir = try TestSupport.temporaryDirectory()
        var lines = [(key: String, value: String)]()
        let keys = ["b", "a", "ab", "a-1", "ä", "aa", "b0", "", "zz", "a0"].filter { !$0.isEmpty }
        for (i, key) in keys.enumerated() {
            lines.append((key, i == 3 ? "\(dir)/bare.mat" : "\(dir)/part\(i % 2 + 1).ark:\(1000 * i + 7)"))
        }
        try lines.map { "\($0.key) \($0.value)\n" }.joined().write(toFile: dir + "/x.scp", atomically: true, encoding: .utf8)
        let scp = try ScriptFile(path: dir + "/x.scp")
        #expect(scp.keys == keys)
        #expect(scp.count == keys.count)
        for line in lines { #expect(scp.location(of: line.key) == ArchiveLocation(specifier: line.value)) }
        #expect(scp.entries.map(\.location.specifier) == lines.map(\.value))
        for missing in ["", "a-", "ab0", "c", "b00", "A"] { #expect(scp.location(of: missing) == nil) }
        let repeated = ScriptFile(entries: [("k", ArchiveLocation(path: "x.ark", offset: 1)), ("j", ArchiveLocation(path: "x.ark", offset: 2)),
                                            ("k", ArchiveLocation(path: "y.ark", offset: 3))])
        #expect(repeated.location(of: "k") == ArchiveLocation(path: "y.ark", offset: 3))
        #expect(repeated.keys == ["k", "j", "k"])
        let error = try #require(throws: KaldiIOError.self) {
            try "u a.ark:1\nv a.ark:2\nu a.ark:3\n".write(toFile: dir + "/dup.scp", atomically: true, encoding: .utf8)
            _ = try ScriptFile(path: dir + "/dup.scp")
        }
        #expect("\(error)".contains("duplicate key 'u'"))
    }

    /// A matrix's rows come from its header alone: float and double matrices give theirs; a
    /// vector, an integer vector, an unknown key and a location past the end give nil.
    @Test func rowsAreReadFromTheHeader() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        try writer.write(key: "m7", .floatMatrix(Matrix(rows: 7, columns: 3, values: [Float](repeating: 1, count: 21))))
        try writer.write(key: "d2", .doubleMatrix(doubles))
        try writer.write(key: "m0", .floatMatrix(Matrix(rows: 0, columns: 0)))
        try writer.write(key: "v", .floatVector([1, 2, 3]))
        try writer.write(key: "i", .intVector([4, 5]))
        try writer.commit()
        let scp = ScriptFile(entries: writer.entries + [(key: "far", location: ArchiveLocation(path: dir + "/a.ark", offset: 1 << 20))])
        #expect(scp.rows(of: "m7") == 7)
        #expect(scp.rows(of: "d2") == 2)
        #expect(scp.rows(of: "m0") == 0)
        for key in ["v", "i", "far", "nothing"] { #expect(scp.rows(of: key) == nil) }
    }

    @Test func archiveIsInvisibleUntilCommitted() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        try writer.write(key: "x", .floatVector([1]))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a.ark"))
        try writer.commit()
        #expect(FileManager.default.fileExists(atPath: dir + "/a.ark"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func truncatedArchiveNamesTheKeyAndOffset() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        try writer.write(key: "good", .floatMatrix(matrix))
        try writer.write(key: "cut", .floatMatrix(matrix))
        try writer.commit()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.ark"))
        bytes.removeLast(7)
        try bytes.write(to: URL(fileURLWithPath: dir + "/a.ark"))
        let reader = try KaldiArchiveReader(path: dir + "/a.ark")
        #expect(try reader.next()?.key == "good")
        #expect(throws: KaldiIOError.self) { _ = try reader.next() }
        do { _ = try reader.next() } catch {
            #expect("\(error)".contains("cut"))
        }
        let error = try #require(throws: KaldiIOError.self) { _ = try KaldiArchiveReader.readAll(path: dir + "/a.ark") }
        guard case let .truncated(path, key, _) = error else { Issue.record("expected .truncated, got \(error)"); return }
        #expect(path.hasSuffix("a.ark"))
        #expect(key == "cut")
    }

    @Test func scriptOffsetPastTheEndIsAClearError() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/a.ark")
        try writer.write(key: "x", .floatVector([1, 2]))
        try writer.commit()
        let error = try #require(throws: KaldiIOError.self) {
            _ = try ScriptFile.read(at: ArchiveLocation(path: dir + "/a.ark", offset: 10_000), key: "x")
        }
        #expect("\(error)".contains("a.ark"))
        #expect("\(error)".contains("'x'"))
    }

    @Test func corruptDimensionsAreRejectedBeforeAllocating() throws {
        let dir = try TestSupport.temporaryDirectory()
        let bytes: [UInt8] = Array("k ".utf8) + [0, 0x42] + Array("FM ".utf8) + [4, 0xFF, 0xFF, 0xFF, 0x7F, 4, 0xFF, 0xFF, 0xFF, 0x7F]
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/bad.ark"))
        let error = try #require(throws: KaldiIOError.self) { _ = try KaldiArchiveReader.readAll(path: dir + "/bad.ark") }
        #expect("\(error)".contains("implausible"))
    }

    /// fuzz-archive finding: a 100-byte archive whose 7 × 84,148,229 header made the reader reserve
    /// 2.3 GB before finding the file too short. Lengths are now checked against the file first.
    @Test func lengthsBeyondTheEndOfTheFileAreRefusedBeforeAllocating() throws {
        let dir = try TestSupport.temporaryDirectory()
        let bytes: [UInt8] = Array("utt1 ".utf8) + [0, 0x42] + Array("FM ".utf8) + [4, 7, 0, 0, 0, 4, 5, 0, 4, 5] + [UInt8](repeating: 1, count: 60)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/short.ark"))
        let error = try #require(throws: KaldiIOError.self) { _ = try KaldiArchiveReader.readAll(path: dir + "/short.ark") }
        guard case let .truncated(_, key, offset) = error else { Issue.record("expected .truncated, got \(error)"); return }
        #expect(key == "utt1")
        #expect(offset == 20, "the offset of the missing data")
        // A terabyte request and an element count whose byte size overflows: errors, not a failed allocation or a trap.
        let reader = try ByteReader(path: dir + "/short.ark")
        #expect(throws: KaldiIOError.self) { _ = try reader.readBytes(1 << 40) }
        #expect(throws: KaldiIOError.self) { _ = try reader.readArray(UInt64.self, count: Int.max / 4) }
    }

    /// `readToEnd` gives exactly the bytes after the reader's offset: after buffered reads (part of
    /// the rest is in the buffer), after a seek past the buffer, from a pipe (no size known), and
    /// nothing once at the end.
    @Test func readToEndGivesTheRestOfTheFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        let bytes = (0..<300_000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/bytes"))
        let reader = try ByteReader(path: dir + "/bytes", bufferSize: 4096)
        #expect(try reader.readBytes(10) == Array(bytes[0..<10]))
        #expect(try reader.readToEnd() == Array(bytes[10...]))
        #expect(try reader.readToEnd().isEmpty)
        let seeking = try ByteReader(path: dir + "/bytes", bufferSize: 4096)
        try seeking.seek(to: 123_456)
        #expect(try seeking.readToEnd() == Array(bytes[123_456...]))
        // A pipe (its size unknown): 50,000 bytes fit in its buffer, so they are written and the
        // writing end closed before the reader opens it.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }   // no child another test spawns keeps it open
        let piped = Array(bytes[0..<50_000])
        #expect(piped.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) } == piped.count)
        close(ends[1])
        #expect(try ByteReader(path: "/proc/self/fd/\(ends[0])", bufferSize: 4096).readToEnd() == piped)
        close(ends[0])
    }

    /// fuzz-archive and fuzz-scp findings: a compressed matrix whose header claims 7 × 201 million
    /// values was allocated before its data were read; a text matrix whose last row ends in "]" on
    /// a longer line than the others tripped a precondition instead of an error.
    @Test func compressedHeadersAndRaggedTextMatricesAreErrors() throws {
        let dir = try TestSupport.temporaryDirectory()
        var compressed: [UInt8] = Array("utt1 ".utf8) + [0, 0x42] + Array("CM2 ".utf8)
        for word: UInt32 in [Float(0).bitPattern, Float(1).bitPattern, 7, 0x0C00_0000] {
            compressed += [UInt8(word & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word >> 16 & 0xFF), UInt8(word >> 24)]
        }
        try Data(compressed + [1, 2, 3, 4]).write(to: URL(fileURLWithPath: dir + "/cm.ark"))
        let error = try #require(throws: KaldiIOError.self) { _ = try KaldiArchiveReader.readAll(path: dir + "/cm.ark") }
        guard case let .truncated(_, key, _) = error else { Issue.record("expected .truncated, got \(error)"); return }
        #expect(key == "utt1")

        try TestSupport.write("utt1  [\n  1 2\n  3 4\n  5 6 7 ]\n", to: dir + "/ragged.ark")
        let ragged = try #require(throws: KaldiIOError.self) { _ = try KaldiArchiveReader.readAll(path: dir + "/ragged.ark") }
        #expect("\(ragged)".contains("different lengths") && "\(ragged)".contains("utt1"))
    }

    @Test func textArchivesParseMatricesVectorsAndIntegerVectors() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("""
        m1  [
          1 2 3
          4 5 6 ]
        v1  [ 1.5 2.5 ]
        ali1 3 3 4 4 4
        m2 [
          7 8 ]

        """, to: dir + "/t.ark")
        let entries = try KaldiArchiveReader.readAll(path: dir + "/t.ark")
        #expect(entries.map(\.key) == ["m1", "v1", "ali1", "m2"])
        #expect(entries[0].object == .floatMatrix(Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])))
        #expect(entries[1].object == .floatVector([1.5, 2.5]))
        #expect(entries[2].object == .intVector([3, 3, 4, 4, 4]))
        #expect(entries[3].object == .floatMatrix(Matrix(rows: 1, columns: 2, values: [7, 8])))
    }

    @Test func textFormatterWritesWhatTheReaderReads() throws {
        let dir = try TestSupport.temporaryDirectory()
        let text = KaldiText.format(key: "a", .floatMatrix(matrix)) + KaldiText.format(key: "b", .intVector([1, 2]))
            + KaldiText.format(key: "c", .floatVector([0.5]))
        try TestSupport.write(text, to: dir + "/t.ark")
        let entries = try KaldiArchiveReader.readAll(path: dir + "/t.ark")
        #expect(entries[0].object == .floatMatrix(matrix))
        #expect(entries[1].object == .intVector([1, 2]))
        #expect(entries[2].object == .floatVector([0.5]))
    }
}
