import Acoustic
import Core
import Transcription

/// Alignment under a CTC model (`AcousticModel.criterion` `.ctc`): the most probable CTC path
/// through the transcript's phones (`CTC.forcedAlignment`: each phone's frames, blanks between),
/// turned into phone segments that tile the utterance.
extension ForcedAligner {
    /// Segments from a CTC path. A phone emitted on frames `[a, b)` and the next phone first
    /// emitted at `c` share the blank frames `[b, c)` between them at their midpoint; blanks
    /// before the first phone and after the last are silence, and so is a run of blanks between
    /// two words lasting at least `options.minimumPause` frames (its first and last frames stay
    /// with the phones around it, as the midpoint rule would give them a frame each).
    /// - Parameters:
    ///   - logPosteriors: the CTC model's `frames × classes` log-posteriors (blank last).
    /// - Throws: `AlignError.transcriptTooLong` when the phones cannot fit in the frames.
    public func ctcAlign(_ utterance: String, compiled: CompiledTranscript, logPosteriors: Matrix) throws -> UtteranceAlignment {
        let firstPronunciations = compiled.pronunciations.map { $0[0] }
        let labels = firstPronunciations.flatMap { $0 }.map(Int32.init)
        let frames = logPosteriors.rows
        guard let path = CTC.forcedAlignment(logPosteriors, labels: labels, blank: logPosteriors.columns - 1) else {
            throw AlignError.transcriptTooLong(utterance: utterance, frames: frames, minimumFrames: CTC.minimumFrames(labels))
        }
        // Each label's emitted frames [first, last + 1).
        var first = [Int](repeating: -1, count: labels.count), last = first
        for (t, i) in path.enumerated() where i >= 0 {
            if first[i] < 0 { first[i] = t }
            last[i] = t
        }
        // Which word each label belongs to.
        var wordOf = [Int]()
        for (w, phones) in firstPronunciations.enumerated() { wordOf += [Int](repeating: w, count: phones.count) }
        let silence = Int32(compiler.silence)
        var classes = [Int32](repeating: silence, count: frames)
        var phones = [AlignedSegment](), words = [AlignedSegment]()
        let pause = max(1, options.minimumPause ?? 0)
        for i in labels.indices {
            var start = first[i], end = last[i] + 1
            if i > 0 {
                let gap = first[i] - (last[i - 1] + 1)
                let isPause = wordOf[i] != wordOf[i - 1] && options.optionalSilence && gap >= pause + 2
                start = isPause ? first[i] - 1 : last[i - 1] + 1 + gap / 2
            }
            if i + 1 < labels.count {
                let gap = first[i + 1] - end
                let isPause = wordOf[i + 1] != wordOf[i] && options.optionalSilence && gap >= pause + 2
                end = isPause ? end + 1 : end + gap / 2
            }
            for t in start..<end { classes[t] = labels[i] }
            phones.append(AlignedSegment(label: compiler.phoneSet[Int(labels[i])], start: start, end: end))
            if i == 0 || wordOf[i] != wordOf[i - 1] {
                words.append(AlignedSegment(label: compiled.words[wordOf[i]], start: start, end: end))
            } else {
                words[words.count - 1].end = end
            }
        }
        // Silence fills what no phone covers.
        var tiled = [AlignedSegment](), t = 0
        for phone in phones {
            if phone.start > t { tiled.append(AlignedSegment(label: Lexicon.silence, start: t, end: phone.start)) }
            tiled.append(phone)
            t = phone.end
        }
        if t < frames { tiled.append(AlignedSegment(label: Lexicon.silence, start: t, end: frames)) }
        var score = 0.0
        for (t, i) in path.enumerated() { score += Double(logPosteriors[t, i >= 0 ? Int(labels[i]) : logPosteriors.columns - 1]) }
        return UtteranceAlignment(utterance: utterance, frameClasses: classes, phones: tiled, words: words, score: score)
    }
}
