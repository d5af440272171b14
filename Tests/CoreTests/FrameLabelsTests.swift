import Core
import Testing

@Suite struct FrameLabelsTests {
    /// Random alignments: runs of 1–12 frames of 5 classes, and some with no frames or one.
    static func alignments() -> [[Int32]] {
        var random = SeededGenerator(seed: 7)
        var out: [[Int32]] = [[], [3], [2, 2, 2], [0, 1, 0, 1]]
        for _ in 0..<50 {
            var frames = [Int32]()
            for _ in 0..<Int(random.next() % 20) {
                let label = Int32(random.next() % 5)
                frames += [Int32](repeating: label, count: 1 + Int(random.next() % 12))
            }
            out.append(frames)
        }
        return out
    }

    @Test func readsBackTheFramesItWasMadeOf() {
        for frames in Self.alignments() {
            let labels = FrameLabels(frames)
            #expect(labels.count == frames.count)
            #expect(Array(labels) == frames, "iterating")
            #expect(frames.indices.map { labels[$0] } == frames, "subscripts")
            #expect(Array(labels[labels.count / 3..<labels.count / 2]) == Array(frames[frames.count / 3..<frames.count / 2]), "a slice")
        }
    }

    @Test func runsAreTheMaximalStretchesOfOneClass() {
        let labels: FrameLabels = [4, 4, 4, 1, 0, 0, 4, 4]
        #expect(labels.runLengths.map(\.label) == [4, 1, 0, 4])
        #expect(labels.runLengths.map(\.frames) == [3, 1, 2, 2])
        for frames in Self.alignments() {
            let runs = FrameLabels(frames).runLengths
            #expect(runs.reduce(0) { $0 + $1.frames } == frames.count)
            // A run ends where the class changes: count the changes in the array itself.
            let changes = frames.indices.dropFirst().filter { frames[$0] != frames[$0 - 1] }.count
            #expect(runs.count == (frames.isEmpty ? 0 : changes + 1))
        }
    }

    @Test func equalFramesMakeEqualLabels() {
        #expect(FrameLabels([1, 1, 2]) == [1, 1, 2])
        #expect(FrameLabels([1, 1, 2]) != [1, 2, 2])
        #expect(FrameLabels([1, 1, 2]) != [1, 1, 2, 2])
    }
}
