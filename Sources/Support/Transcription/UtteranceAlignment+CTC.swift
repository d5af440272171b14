extension UtteranceAlignment {
    /// Phone segments from a CTC path (which label each frame emits, −1 for the blank; see
    /// `CTC.forcedAlignment`). A phone emitted on frames `[a, b)` and the next phone first emitted
    /// at `c` share the blank frames `[b, c)`: with `logProbability`, the split k that maximises
    /// the blanks' log-probabilities of the phone before on `[b, k)` and of the phone after on
    /// `[k, c)` (the split nearest the midpoint among equals), else at their midpoint. Blanks
    /// before the first phone and after the last are silence, and so is a run of blanks between
    /// two words of at least `minimumPause` + 2 frames (its first and last frames stay with the
    /// phones around it).
    /// - Parameters:
    ///   - path: per frame, the index into `phones` it emits, or −1.
    ///   - phones: the class of each label, in order; `wordOf`: the index into `words` of each.
    ///   - labels: class names; `silence`: the silence class.
    ///   - pauses: whether long blank runs between words become silence.
    ///   - logProbability: the model's log-probability of a class at a frame, (frame, class).
    public init(utterance: String, ctcPath path: [Int], phones: [Int32], wordOf: [Int], words: [String], labels: [String], silence: Int32,
                pauses: Bool, minimumPause: Int, score: Double, logProbability: ((Int, Int32) -> Float)? = nil) {
        let frames = path.count
        var first = [Int](repeating: -1, count: phones.count), last = first
        for (t, i) in path.enumerated() where i >= 0 {
            if first[i] < 0 { first[i] = t }
            last[i] = t
        }
        var classes = [Int32](repeating: silence, count: frames)
        var segments = [AlignedSegment](), wordSegments = [AlignedSegment]()
        let pause = max(1, minimumPause)
        func isPause(between i: Int, and j: Int) -> Bool {
            pauses && wordOf[i] != wordOf[j] && first[j] - (last[i] + 1) >= pause + 2
        }
        // Where phone i starts when the blanks before it are shared with phone i − 1.
        func split(before i: Int) -> Int {
            let low = last[i - 1] + 1, gap = first[i] - low, midpoint = gap / 2
            guard let logProbability, gap > 0, phones[i - 1] != phones[i] else { return low + midpoint }
            var best = 0, bestScore = 0.0, running = 0.0
            for k in 1...gap {
                running += Double(logProbability(low + k - 1, phones[i - 1]) - logProbability(low + k - 1, phones[i]))
                if running > bestScore || (running == bestScore && abs(k - midpoint) < abs(best - midpoint)) { (best, bestScore) = (k, running) }
            }
            return low + best
        }
        // Each boundary once: where phone i starts, shared with phone i − 1's end (none for the first).
        let splits = phones.indices.map { $0 > 0 && !isPause(between: $0 - 1, and: $0) ? split(before: $0) : 0 }
        for i in phones.indices {
            var start = first[i], end = last[i] + 1
            if i > 0 { start = isPause(between: i - 1, and: i) ? first[i] - 1 : splits[i] }
            if i + 1 < phones.count { end = isPause(between: i, and: i + 1) ? end + 1 : splits[i + 1] }
            for t in start..<end { classes[t] = phones[i] }
            segments.append(AlignedSegment(label: labels[Int(phones[i])], start: start, end: end))
            if i == 0 || wordOf[i] != wordOf[i - 1] {
                wordSegments.append(AlignedSegment(label: words[wordOf[i]], start: start, end: end))
            } else {
                wordSegments[wordSegments.count - 1].end = end
            }
        }
        // Silence fills what no phone covers.
        var tiled = [AlignedSegment](), t = 0
        for segment in segments {
            if segment.start > t { tiled.append(AlignedSegment(label: labels[Int(silence)], start: t, end: segment.start)) }
            tiled.append(segment)
            t = segment.end
        }
        if t < frames { tiled.append(AlignedSegment(label: labels[Int(silence)], start: t, end: frames)) }
        self.init(utterance: utterance, frameClasses: classes, phones: tiled, words: wordSegments, score: score)
    }
}
