import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct TextGridFileTests {
    /// Two tiers as Praat writes them in its long text format; a quote inside a label is doubled.
    static let long = """
        File type = "ooTextFile"
        Object class = "TextGrid"

        xmin = 0
        xmax = 2.5
        tiers? <exists>
        size = 2
        item []:
            item [1]:
                class = "IntervalTier"
                name = "utterances"
                xmin = 0
                xmax = 2.5
                intervals: size = 3
                intervals [1]:
                    xmin = 0
                    xmax = 0.75
                    text = "the ""first"" one"
                intervals [2]:
                    xmin = 0.75
                    xmax = 1.5
                    text = ""
                intervals [3]:
                    xmin = 1.5
                    xmax = 2.5
                    text = "été à Zürich"
            item [2]:
                class = "TextTier"
                name = "events"
                xmin = 0
                xmax = 2.5
                points: size = 1
                points [1]:
                    number = 1.2
                    mark = "click"

        """

    /// The same TextGrid in Praat's short text format: values only.
    static let short = """
        File type = "ooTextFile"
        Object class = "TextGrid"

        0
        2.5
        <exists>
        2
        "IntervalTier"
        "utterances"
        0
        2.5
        3
        0
        0.75
        "the ""first"" one"
        0.75
        1.5
        ""
        1.5
        2.5
        "été à Zürich"
        "TextTier"
        "events"
        0
        2.5
        1
        1.2
        "click"

        """

    static let expectedIntervals: [(Double, Double, String)] = [(0, 0.75, "the \"first\" one"), (0.75, 1.5, ""), (1.5, 2.5, "été à Zürich")]

    func check(_ grid: TextGridFile) {
        #expect(grid.start == 0 && grid.end == 2.5)
        #expect(grid.tiers.map(\.name) == ["utterances", "events"])
        #expect(grid.tiers.map(\.isIntervalTier) == [true, false])
        let intervals = grid.tiers[0].intervals
        #expect(intervals.map(\.start) == Self.expectedIntervals.map(\.0))
        #expect(intervals.map(\.end) == Self.expectedIntervals.map(\.1))
        #expect(intervals.map(\.text) == Self.expectedIntervals.map(\.2))
        #expect(intervals.map(\.number) == [1, 2, 3])
    }

    @Test func longAndShortFormatsReadAlike() throws {
        let longGrid = try TextGridFile(data: Data(Self.long.utf8), path: "long.TextGrid")
        check(longGrid)
        // Each interval's line is where its xmin is (line 16 is the first interval's xmin in `long`).
        #expect(longGrid.tiers[0].intervals.map(\.line) == [16, 20, 24])
        let shortGrid = try TextGridFile(data: Data(Self.short.utf8), path: "short.TextGrid")
        check(shortGrid)
        #expect(shortGrid.tiers[0].intervals.map(\.line) == [13, 16, 19])
    }

    @Test func olderPraatsShortLabelAndNumbersTouchingTextAreRead() throws {
        let labelled = Self.short.replacingOccurrences(of: "\"ooTextFile\"", with: "\"ooTextFile short\"")
        check(try TextGridFile(data: Data(labelled.utf8), path: "short.TextGrid"))
        let touching = Self.short.replacingOccurrences(of: "0.75\n\"the", with: "0.75\"the")
        check(try TextGridFile(data: Data(touching.utf8), path: "touching.TextGrid"))
    }

    @Test func utf16WithByteOrderMarkAndUtf8WithOneAreRead() throws {
        // Praat writes UTF-16 (big-endian, with a byte-order mark) when a label is not ASCII.
        for encoding in [String.Encoding.utf16BigEndian, .utf16LittleEndian] {
            let bom: [UInt8] = encoding == .utf16BigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
            let data = Data(bom) + Self.long.data(using: encoding)!
            check(try TextGridFile(data: data, path: "utf16.TextGrid"))
        }
        check(try TextGridFile(data: Data([0xEF, 0xBB, 0xBF]) + Data(Self.short.utf8), path: "bom.TextGrid"))
    }

    @Test func aCutFileNamesTheLineWhereItEnds() throws {
        let lines = Self.long.split(separator: "\n", omittingEmptySubsequences: false)
        let cut = lines.prefix(21).joined(separator: "\n")   // ends inside interval 2
        #expect(throws: TextGridFile.ReadError.malformed(path: "cut.TextGrid", line: 21,
                                                         reason: "the file ends before the text of interval 2 of tier 'utterances' (cut short?)")) {
            try TextGridFile(data: Data(cut.utf8), path: "cut.TextGrid")
        }
    }

    @Test func otherFilesAreNotTextGrids() throws {
        let wav = Data(WaveFile.bytes(samples: [0, 0.1, 0.2], sampleRate: 8000))
        #expect(throws: TextGridFile.ReadError.self) { try TextGridFile(data: wav, path: "a.TextGrid") }
        do {
            _ = try TextGridFile(data: Data("ooBinaryFile\u{8}TextGrid".utf8), path: "b.TextGrid")
            Issue.record("a binary TextGrid was read")
        } catch let error as TextGridFile.ReadError {
            #expect(error.description.contains("binary") && error.description.contains("save it as a text file"))
        }
        let pitch = "File type = \"ooTextFile\"\nObject class = \"Pitch 1\"\n\nxmin = 0\n"
        #expect(throws: TextGridFile.ReadError.notATextGrid(path: "p.TextGrid", reason: "a Praat Pitch 1, not a TextGrid")) {
            try TextGridFile(data: Data(pitch.utf8), path: "p.TextGrid")
        }
    }
}
