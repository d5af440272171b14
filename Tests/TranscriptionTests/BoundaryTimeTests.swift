import Audio
import Foundation
import Testing
import Transcription

/// Where a frame boundary lies in time: halfway between the centres of the two frames' analysis
/// windows, so a step in the signal gets its boundary within half a frame shift of the step.
@Suite struct BoundaryTimeTests {
    @Test func offsetIsHalfTheWindowOverhangForKaldiFrames() {
        var fbank = FbankOptions()
        let writer = AlignmentWriter(fbank: fbank)
        #expect(writer.time(0) == 0)
        #expect(abs(writer.time(1) - 0.0175) < 1e-12)
        #expect(abs(writer.time(12) - 0.1275) < 1e-12)
        fbank.frameShiftMilliseconds = 5
        #expect(abs(AlignmentWriter(fbank: fbank).time(12) - 0.07) < 1e-12)
        // Centred frames (snip-edges false): frame t's centre is (t + ½) × shift, boundaries at t × shift.
        fbank.snipEdges = false
        #expect(abs(AlignmentWriter(fbank: fbank).time(12) - 0.06) < 1e-12)
        #expect(AlignmentWriter(frameShift: 0.01).time(7) == 0.07)
    }

    /// Silence, a 1 kHz tone from `onset` to `offset`, silence. A frame counts as tone when its
    /// filterbank energy is over half a whole-tone frame's (its window, symmetric, is then mostly
    /// over the tone); the first and last tone frames' boundaries must lie within half a frame
    /// shift (+ one sample) of the onset and offset. Without the window-centre offset the onset
    /// comes out 2.5 to 12.5 ms early.
    @Test func aStepInTheSignalGetsItsBoundaryWithinHalfAFrameShift() throws {
        for snipEdges in [true, false] {
            var options = FbankOptions()
            options.snipEdges = snipEdges
            let computer = try FbankComputer(options: options)
            let writer = AlignmentWriter(fbank: options)
            for (onset, offset) in [(0.2000, 0.4000), (0.2037, 0.4113), (0.2071, 0.3551), (0.2099, 0.3004)] {
                let samples = (0..<12_000).map { n -> Float in
                    let t = Double(n) / 16_000
                    return t >= onset && t < offset ? Float(10_000 * sin(2 * Double.pi * 1_000 * t)) : 0
                }
                let features = computer.compute(samples)
                let energies = (0..<features.rows).map { t in (0..<features.columns).reduce(0.0) { $0 + exp(Double(features[t, $1])) } }
                let full = energies.max()!
                let tone = energies.indices.filter { energies[$0] > full / 2 }
                let first = tone.first!, last = tone.last!
                let tolerance = options.frameShiftMilliseconds / 2000 + 1.0 / 16_000
                #expect(abs(writer.time(first) - onset) <= tolerance, "snip-edges \(snipEdges): onset \(onset) → \(writer.time(first))")
                #expect(abs(writer.time(last + 1) - offset) <= tolerance, "snip-edges \(snipEdges): offset \(offset) → \(writer.time(last + 1))")
            }
        }
    }

    /// Sub-frame shifts and refined times, worked by hand, in every format: frames 10 ms apart
    /// with no offset, shifts of +0.3 frame before frame 3 and −0.4 before frame 6, and a refined
    /// time before frame 10 that replaces its shift.
    @Test func shiftedAndRefinedBoundariesReachEveryFormat() throws {
        var alignment = UtteranceAlignment(utterance: "u", frameClasses: [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0],
                                           phones: [AlignedSegment(label: "SIL", start: 0, end: 3), AlignedSegment(label: "A", start: 3, end: 6),
                                                    AlignedSegment(label: "B", start: 6, end: 10), AlignedSegment(label: "SIL", start: 10, end: 13)],
                                           words: [AlignedSegment(label: "AB", start: 3, end: 10)], score: 0)
        alignment.boundaryShifts = [3: 0.3, 6: -0.4, 10: 0.2]
        alignment.refinedBoundaries = [10: 0.111]
        let writer = AlignmentWriter(frameShift: 0.01)
        let times = writer.boundaryTimes(alignment)
        #expect(times.count == 3)
        #expect(abs(times[3]! - 0.033) < 1e-12 && abs(times[6]! - 0.056) < 1e-12 && times[10] == 0.111)
        #expect(writer.ctm("u", alignment.phones, refined: times) == "u 1 0.000 0.033 SIL\nu 1 0.033 0.023 A\nu 1 0.056 0.055 B\nu 1 0.111 0.019 SIL\n")
        #expect(writer.ctm("u", alignment.words, refined: times) == "u 1 0.033 0.078 AB\n")
        #expect(writer.csv(alignment) == "u,words,0.033,0.111,AB\nu,phones,0.000,0.033,SIL\nu,phones,0.033,0.056,A\nu,phones,0.056,0.111,B\nu,phones,0.111,0.130,SIL\n")
        let phones = try #require(writer.json(alignment)["phones"] as? [[String: Any]])
        #expect(abs((phones[2]["start"] as? Double ?? 0) - 0.056) < 1e-12 && (phones[2]["end"] as? Double) == 0.111)
        let grid = writer.textGrid(alignment, duration: 0.13)
        for bound in ["xmin = 0.033", "xmax = 0.056", "xmin = 0.056", "xmax = 0.111"] { #expect(grid.contains(bound), "\(bound)") }
        // Without shifts or refined times every boundary is on the grid.
        #expect(writer.boundaryTimes(UtteranceAlignment(utterance: "u", frameClasses: [0], phones: [], words: [], score: 0)).isEmpty)
    }
}
