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
