import Acoustic
import Core
import Transcription

/// Alignment under a CTC model (`AcousticModel.criterion` `.ctc`): the most probable CTC path
/// through the transcript's phones (`CTC.forcedAlignment`: each phone's frames, blanks between),
/// turned into phone segments that tile the utterance (`UtteranceAlignment(ctcPath:…)`: blanks
/// between two phones split where the model's own posteriors of the two phones say, silence around
/// the words and in long blank runs between them).
extension ForcedAligner {
    /// Frames × states a CTC alignment may search: its back-pointers take a byte each, 256 MB.
    public static let ctcAlignmentLimit = 1 << 28

    /// Aligns the transcript's first pronunciations to a CTC model's log-posteriors
    /// (`frames × classes`, the blank last); pauses between words need `options.optionalSilence`
    /// and last at least `options.minimumPause` frames.
    /// - Throws: `AlignError.transcriptTooLong` when the phones cannot fit in the frames,
    ///   `.tooLongForCTC` for a recording of more than about 5 minutes of speech.
    /// - Parameter limit: frames × CTC states (2·phones + 1) refused as too long (a byte each).
    public func ctcAlign(_ utterance: String, compiled: CompiledTranscript, logPosteriors: Matrix, limit: Int = ctcAlignmentLimit) throws -> UtteranceAlignment {
        let firstPronunciations = compiled.pronunciations.map { $0[0] }
        let phones = firstPronunciations.flatMap { $0 }.map(Int32.init)
        let blank = logPosteriors.columns - 1
        guard logPosteriors.rows * (2 * phones.count + 1) <= limit else {
            throw AlignError.tooLongForCTC(utterance: utterance, frames: logPosteriors.rows, phones: phones.count)
        }
        guard let path = CTC.forcedAlignment(logPosteriors, labels: phones, blank: blank) else {
            throw AlignError.transcriptTooLong(utterance: utterance, frames: logPosteriors.rows, minimumFrames: CTC.minimumFrames(phones))
        }
        let wordOf = firstPronunciations.enumerated().flatMap { w, p in [Int](repeating: w, count: p.count) }
        var score = 0.0
        for (t, i) in path.enumerated() { score += Double(logPosteriors[t, i >= 0 ? Int(phones[i]) : blank]) }
        return UtteranceAlignment(utterance: utterance, ctcPath: path, phones: phones, wordOf: wordOf, words: compiled.words, labels: compiler.phoneSet,
                                  silence: Int32(compiler.silence), pauses: options.optionalSilence, minimumPause: options.minimumPause ?? 0, score: score,
                                  logProbability: { logPosteriors[$0, Int($1)] })
    }
}
