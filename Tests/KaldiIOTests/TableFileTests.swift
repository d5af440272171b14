import Core
import KaldiIO
import ParrotTestSupport
import Testing

@Suite struct TableFileTests {
    @Test func readsKeysAndValuesForgivingBOMAndCRLF() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("\u{FEFF}utt1 HELLO  WORLD \r\nutt2\r\n\r\n  utt3\tA B\r\n", to: dir + "/text")
        let table = try TableFile(path: dir + "/text")
        #expect(table.hadByteOrderMark)
        #expect(table.hadCarriageReturns)
        #expect(table.keys == ["utt1", "utt2", "utt3"])
        #expect(table.dictionary["utt1"] == "HELLO  WORLD")
        #expect(table.dictionary["utt2"] == "")
        #expect(table.dictionary["utt3"] == "A B")
        #expect(table.firstUnsortedLine == nil)
    }

    @Test func recordsDuplicatesAndUnsortedLines() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("b x\na y\nb z\nc w\n", to: dir + "/t")
        let table = try TableFile(path: dir + "/t")
        #expect(table.keys == ["b", "a", "c"])
        #expect(table.duplicates.map(\.number) == [3])
        #expect(table.dictionary["b"] == "x", "the first occurrence is kept")
        #expect(table.firstUnsortedLine == 2)
    }

    @Test func streamingReadsHandOverWhatLinesWouldHold() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("\u{FEFF}b x\r\na y\r\n\nb z\r\nc  w \r\na again\r\n", to: dir + "/t")
        var handed = [TableFile.Line]()
        let streamed = try TableFile(path: dir + "/t") { handed.append($0) }
        #expect(streamed.lines.isEmpty)
        #expect(handed.map(\.key) == ["b", "a", "c"] && handed.map(\.value) == ["x", "y", "w"])
        #expect(handed.map(\.number) == [1, 2, 5])
        #expect(streamed.duplicates.map(\.number) == [4, 6])
        #expect(streamed.firstLineOfRepeatedKey == ["b": 1, "a": 2])
        #expect(streamed.firstUnsortedLine == 2 && streamed.hadByteOrderMark && streamed.hadCarriageReturns)
        // Read straight into packed form: the first of each key, in byte order.
        let packed = try TableFile.packed(path: dir + "/t")
        #expect(packed.map(\.key) == ["a", "b", "c"] && packed.map(\.value) == ["y", "x", "w"])
    }

    @Test func sortingIsByteOrderNotLocaleOrder() throws {
        // C locale: uppercase before lowercase, '_' (0x5F) between them.
        let keys = ["a", "B", "_x", "A1", "a_b", "aB"]
        #expect(keys.sorted(by: cLocaleLess) == ["A1", "B", "_x", "a", "aB", "a_b"])
    }

    @Test func binaryFileIsReportedWithItsLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        try TestSupport.write("ok 1\nbad \u{0}\n", to: dir + "/t")
        let error = try #require(throws: KaldiIOError.self) { _ = try TableFile(path: dir + "/t") }
        #expect(error == .badLine(path: dir + "/t", line: 2, reason: "contains a NUL byte (binary file?)"))
    }
}
