import Acoustic
import Align
import Foundation
import KaldiIO
import ParrotTestSupport
@testable import Report
import Testing
import Core
import Corpus
import Report
import Training
import Transcription

/// The PNG writer checked by an independent decoder (Python's zlib), and the HTML report checked
/// by rendering it in headless Chromium and reading back what the page drew.
@Suite struct ReportTests {
    @Test func checksumsMatchPublishedValues() {
        // CRC-32 of the chunk type "IEND" (every PNG ends with these four bytes) and Adler-32 of "Wikipedia".
        #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGImage.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    }

    /// Python parses the chunks, checks every CRC and inflates the data; the pixels must come back.
    @Test(arguments: [(3, 2), (300, 200)])
    func pngDecodesToThePixelsWritten(width: Int, height: Int) throws {
        var image = PNGImage(width: width, height: height)
        for y in 0..<height { for x in 0..<width { image[x, y] = (UInt8((x * 7 + y) % 256), UInt8((x + 3 * y) % 256), UInt8((x * y) % 256)) } }
        let dir = try TestSupport.temporaryDirectory("png")
        let path = dir + "/image.png"
        try Data(image.data).write(to: URL(fileURLWithPath: path))
        try Data(image.pixels).write(to: URL(fileURLWithPath: dir + "/pixels.raw"))
        let decoded = try TestSupport.python("""
        import struct, zlib
        b = open('\(path)', 'rb').read()
        assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        pos, idat, ihdr = 8, b'', None
        while pos < len(b):
            n, = struct.unpack('>I', b[pos:pos+4]); kind = b[pos+4:pos+8]; body = b[pos+8:pos+8+n]
            crc, = struct.unpack('>I', b[pos+8+n:pos+12+n])
            assert zlib.crc32(kind + body) == crc, kind
            if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
            if kind == b'IDAT': idat += body
            pos += 12 + n
        w, h, depth, colour = ihdr[:4]
        raw = zlib.decompress(idat)
        assert len(raw) == h * (1 + 3 * w)
        rows = [raw[y*(1+3*w)+1:(y+1)*(1+3*w)] for y in range(h)]
        assert all(raw[y*(1+3*w)] == 0 for y in range(h))
        same = b''.join(rows) == open('\(dir)/pixels.raw', 'rb').read()
        print(w, h, depth, colour, 'same pixels' if same else 'different pixels')
        """)
        #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == "\(width) \(height) 8 2 same pixels")
    }

    @Test func spectrogramPutsLowFrequenciesAtTheBottomAndLoudAsBright() {
        // 2 frames × 3 bins: frame 0 loud in bin 0 (lowest), frame 1 loud in bin 2.
        let m = Matrix(rows: 2, columns: 3, values: [10, 0, 0, 0, 0, 10])
        let image = UtteranceView.spectrogramImage(m)
        #expect(image.width == 2 && image.height == 3)
        #expect(image[0, 2] == UtteranceView.colour(1))  // bin 0 of frame 0 → bottom row, brightest
        #expect(image[1, 0] == UtteranceView.colour(1))  // bin 2 of frame 1 → top row
        #expect(image[0, 0] == UtteranceView.colour(0))  // 10 nats below the top → darkest
    }

    /// What headless Chromium shows of a report: the tiers' labels in order at the right places,
    /// and one chart line per series with one point per round.
    @Test func chromiumRendersTiersAndCurves() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { throw TestFailure("headless Chromium is needed for this test: run ./setup.sh (Debian package chromium)") }
        var report = RunReport(title: "Report <test> & check")
        report.figures = [.init(label: "Word error rate", text: "%WER 0.43 [ 1 / 232, 1 ins, 0 del, 0 sub ]")]
        report.rounds = [
            RoundReport(round: 1, meanLogLikelihood: -1.5, framesChanged: 0.30, validationAccuracy: 0.6, aligned: 10, failed: 0),
            RoundReport(round: 2, meanLogLikelihood: -0.9, framesChanged: 0.08, validationAccuracy: 0.8, aligned: 10, failed: 0),
            RoundReport(round: 3, meanLogLikelihood: -0.7, framesChanged: 0.02, validationAccuracy: 0.85, aligned: 10, failed: 0),
        ]
        for e in 1...4 {
            let x = Double(e)
            let epoch = EpochReport(epoch: (e - 1) % 2 + 1, trainLoss: 2 / x, trainAccuracy: 0.2 * x, validationLoss: 2.2 / x,
                                    validationAccuracy: 0.18 * x, learningRate: 1e-3, framesPerSecond: 1000, elapsedSeconds: 1)
            report.epochs.append(RunReport.EpochPoint(round: (e + 1) / 2, report: epoch))
        }
        // 200 frames of 10 ms = 2 s: YES from 0.3 to 0.8 s, NO from 1.2 to 1.7 s.
        let features = Matrix(rows: 200, columns: 40, values: (0..<8000).map { Float($0 % 40) / 4 })
        let words = [CTMEntry(utterance: "u1", start: 0.3, duration: 0.5, label: "YES"), CTMEntry(utterance: "u1", start: 1.2, duration: 0.5, label: "NO")]
        let phoneTimes: [(String, Double, Double)] = [("Y", 0.3, 0.1), ("EH", 0.4, 0.2), ("S", 0.6, 0.2), ("SIL", 0.8, 0.4), ("N", 1.2, 0.2), ("OW", 1.4, 0.3)]
        let phones = phoneTimes.map { CTMEntry(utterance: "u1", start: $0.1, duration: $0.2, label: $0.0) }
        report.utterances = [UtteranceView(key: "u1", features: features, frameShift: 0.01, tiers: [("words", words), ("phones", phones)])]
        let dir = try TestSupport.temporaryDirectory("report")
        let page = dir + "/report.html"
        try TestSupport.write(try report.html(), to: page)

        let result = try TestSupport.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/profile",
                                                    "--virtual-time-budget=5000", "--dump-dom", "file://\(page)"])
        guard result.status == 0 else { throw TestFailure("chromium failed (\(result.status)): \(result.standardError)") }
        let dom = result.standardOutput

        #expect(dom.contains("<h1>Report &lt;test&gt; &amp; check</h1>"))
        #expect(dom.contains("%WER 0.43 [ 1 / 232"))
        // Width 2 s × 300 px/s = 600 px, tiers start 60 px from the left.
        let wordsTier = try tier("words", in: dom)
        #expect(wordsTier.labels == ["YES", "NO"])
        #expect(wordsTier.starts.count == 2)
        #expect(abs(wordsTier.starts[0] - (60 + 0.3 / 2 * 600)) < 0.5)
        #expect(abs(wordsTier.starts[1] - (60 + 1.2 / 2 * 600)) < 0.5)
        let phonesTier = try tier("phones", in: dom)
        #expect(phonesTier.labels == ["Y", "EH", "S", "N", "OW"])  // silence left blank
        #expect(dom.contains("class=\"spectrogram\""))
        #expect(dom.contains("href=\"data:image/png;base64,"))
        // Three round charts and two epoch charts; the log-likelihood line has one point per round.
        #expect(dom.components(separatedBy: "class=\"chart\"").count - 1 == 5)
        let line = try #require(firstMatch(#"data-chart="Mean best-path log-likelihood per frame".*?<polyline points="([^"]*)""#, in: dom))
        #expect(line.split(separator: " ").count == 3)
        _ = try #require(firstMatch(#"data-chart="Frame cross-entropy per epoch \(all rounds\)".*?(data-series="validation")"#, in: dom))
    }

    private func tier(_ name: String, in dom: String) throws -> (labels: [String], starts: [Double]) {
        guard let start = dom.range(of: "data-tier=\"\(name)\"") else { throw TestFailure("no \(name) tier in the rendered page") }
        let rest = dom[start.upperBound...]
        let group = String(rest[..<(rest.range(of: "</g>")?.lowerBound ?? rest.endIndex)])
        let labels = matches(#"class="label"[^>]*>([^<]*)<"#, in: group)
        let starts = matches(#"<rect x="([0-9.]+)"[^>]*class="interval""#, in: group).compactMap(Double.init)
        return (labels, starts)
    }

    private func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    private func firstMatch(_ pattern: String, in text: String) -> String? { matches(pattern, in: text).first }
}
