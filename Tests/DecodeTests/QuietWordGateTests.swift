import Core
import Decode
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing
import Transcription

/// The quiet-word gate: frame levels from log-Mel features, which words it keeps, and a word
/// search whose quiet word is dropped and its frames given to silence.
@Suite struct QuietWordGateTests {
    @Test func frameLevelIsTheTotalFilterbankEnergyInDecibels() {
        // Rows: energies 1 + 9 = 10 → 10 dB; 4 × 1 → 10·log10 4; 1000 + 1000 + 0 + 0 → 33.01 dB.
        let features = Matrix(rows: 3, columns: 4, values: [0, Float(log(9.0)), -Float.infinity, -Float.infinity,
                                                            0, 0, 0, 0,
                                                            Float(log(1000.0)), Float(log(1000.0)), -Float.infinity, -Float.infinity])
        let levels = QuietWordGate.frameLevels(features)
        #expect(abs(levels[0] - 10) < 1e-4)
        #expect(abs(levels[1] - Float(10 * log10(4.0))) < 1e-4)
        #expect(abs(levels[2] - Float(10 * log10(2000.0))) < 1e-3)
        // Large log energies do not overflow.
        #expect(abs(QuietWordGate.frameLevels(Matrix(rows: 1, columns: 2, values: [200, 200]))[0] - Float(10 * (200 / log(10.0) + log10(2.0)))) < 1e-2)
    }

    @Test func keepsWordsWithinTheMarginOfTheLoudestWord() {
        let levels: [Float] = [10, 10, 50, 52, 50, 10, 10, 35, 38, 10, 20, 45, 10]
        let words = [AlignedSegment(label: "A", start: 2, end: 5), AlignedSegment(label: "B", start: 7, end: 9), AlignedSegment(label: "C", start: 10, end: 12)]
        // Peaks 52, 38, 45: within 10 dB of 52 are A and C; within 15 dB all three.
        #expect(QuietWordGate(decibelsBelowLoudest: 10).keptWords(words, levels: levels) == [0, 2])
        #expect(QuietWordGate(decibelsBelowLoudest: 15).keptWords(words, levels: levels) == [0, 1, 2])
        #expect(QuietWordGate(decibelsBelowLoudest: 10).keptWords([], levels: levels) == [])
        // A span past the end of the levels counts only the frames it has.
        #expect(QuietWordGate(decibelsBelowLoudest: 5).keptWords([AlignedSegment(label: "A", start: 11, end: 40), AlignedSegment(label: "B", start: 2, end: 4)],
                                                                   levels: levels) == [1])
    }

    @Test func aDroppedWordsFramesBecomeSilence() throws {
        // 30 frames: silence, A (frames 5..<12) at 30 dB, silence, B (frames 18..<26) at 60 dB, silence.
        var posteriors = Matrix(rows: 30, columns: 3)
        var levels = [Float](repeating: 20, count: 30)
        for t in 0..<30 {
            let winner = (5..<12).contains(t) ? 1 : (18..<26).contains(t) ? 2 : 0
            for c in 0..<3 { posteriors[t, c] = Float(log(c == winner ? 0.9 : 0.05)) }
            if winner == 1 { levels[t] = 30 } else if winner == 2 { levels[t] = 60 }
        }
        let ungated = try RecognizerTests.recognizer().recognize("u", logPosteriors: posteriors, frameLevels: levels)
        #expect(ungated.tokens == ["QUIET", "LOUD"])
        // 30 dB below the loudest word: outside a 20 dB gate, inside a 40 dB one.
        let gated = try RecognizerTests.recognizer(gate: QuietWordGate(decibelsBelowLoudest: 20)).recognize("u", logPosteriors: posteriors, frameLevels: levels)
        #expect(gated.tokens == ["LOUD"])
        #expect(gated.words.map { [$0.label, "\($0.start)", "\($0.end)"] } == [["LOUD", "18", "26"]])
        #expect(gated.phones.map(\.label) == ["B"])
        let wide = try RecognizerTests.recognizer(gate: QuietWordGate(decibelsBelowLoudest: 40)).recognize("u", logPosteriors: posteriors, frameLevels: levels)
        #expect(wide.tokens == ["QUIET", "LOUD"])
        #expect(wide.words.map(\.start) == ungated.words.map(\.start))
    }
}
