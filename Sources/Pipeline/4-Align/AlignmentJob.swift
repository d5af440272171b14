import Acoustic
import Audio
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// Aligns every utterance of a features directory and writes the results to `outputDirectory`:
///
///     textgrids/UTT.TextGrid   Praat, tiers words and phones
///     phones.ctm, words.ctm    corpus-wide CTM (phones include SIL)
///     alignment.json, alignment.csv
///     ali.ark                  frame-level classes (Kaldi integer vectors)
///     failed.txt               utterances that could not be aligned, and why
///     NAME.TextGrid            for a corpus folder (`recordings`): one per recording, at its
///                              path in the folder, covering the whole recording
///
/// A failing utterance is listed and the rest complete; the files are written into a staging
/// directory and moved into place together, so a failed run leaves the previous ones intact.
public struct AlignmentJob {
    public let aligner: ForcedAligner
    public let source: FeatureSource
    public let transcripts: [String: String]
    public var jobs = 1
    /// Write flat-start alignments instead of the model's.
    public var flatStart = false
    /// Speech threshold of the flat start (see `SpeechRegion`).
    public var speechThreshold = SpeechRegion.defaultThreshold
    /// Utterances per network pass (padded to the longest). Default `ForcedAligner.batchSize`.
    public var batchSize = ForcedAligner.batchSize
    /// Moves the boundaries to where a reference labelling would put them (not for the flat start).
    public var refiner: BoundaryRefiner?
    /// Called after each utterance with (done, total); one call at a time.
    public var progress: ((Int, Int) -> Void)?
    /// Times of the model's feature frames, for refinement and the output files.
    public let writer: AlignmentWriter
    /// The recordings of a corpus folder: each gets `OUTPUT/<relativeName>.TextGrid` with its
    /// utterances at their times in the recording. Default none.
    public var recordings: [CorpusFolder.Recording] = []
    /// Name those TextGrids' tiers `<speaker> - words` and `<speaker> - phones`, as MFA does. Default false.
    public var speakerTiers = false

    public init(aligner: ForcedAligner, source: FeatureSource, transcripts: [String: String]) {
        self.aligner = aligner
        self.source = source
        self.transcripts = transcripts
        writer = AlignmentWriter(fbank: aligner.model.features?.fbank ?? FbankOptions())
    }

    /// Runs the job. - Returns: aligned utterances and failures (utterance, reason), sorted.
    public func run(outputDirectory: String) throws -> (aligned: Int, failures: [(String, String)]) {
        let keys = Array(Set(source.keys).union(transcripts.keys).union(source.failedUtterances.keys)).sorted(by: cLocaleLess)
        let (results, failures) = WorkerPool.run(keys, jobs: jobs, batchSize: batchSize, state: NetworkWorkspace.forInference, progress: progress) { batch, workspace in
            alignments(batch, workspace: workspace).map { $0.map(\.alignment) }
        }
        try write(results, failures: failures, to: outputDirectory)
        return (results.count, failures)
    }

    /// Aligns `batch` (refined when there is a refiner), the network running on all of it at
    /// once: per utterance, its alignment and CMVN-applied features (none for the flat start),
    /// or why it could not be aligned.
    public func alignments(_ batch: [String], workspace: NetworkWorkspace) -> [Result<(alignment: UtteranceAlignment, features: Matrix), Error>] {
        func transcript(_ key: String) throws -> String {
            guard let transcript = transcripts[key] else { throw WorkerPool.Failure("no transcript in text") }
            guard source.features.location(of: key) != nil else { throw WorkerPool.Failure(source.missingFeaturesReason(key)) }
            return transcript
        }
        // The transcript is compiled before the features are read, so its problems are the ones reported.
        func compiled(_ key: String) throws -> CompiledTranscript { try aligner.compiler.compile(utterance: key, transcript: try transcript(key)) }
        if flatStart {
            return batch.map { key in
                Result {
                    let transcript = try compiled(key)
                    return (try aligner.flatStartAlignment(key, compiled: transcript, features: try source.normalizedFeatures(key), speechThreshold: speechThreshold),
                            Matrix(rows: 0, columns: 0))
                }
            }
        }
        return aligner.align(batch, transcript: compiled, features: source.normalizedFeatures, workspace: workspace).map { outcome in
            Result {
                var (output, features) = try outcome.get()
                try refiner?.refine(&output.alignment, features: features, writer: writer)
                return (output.alignment, features)
            }
        }
    }

    /// Writes every output into a staging directory and moves them into `target` together.
    private func write(_ results: [String: UtteranceAlignment], failures: [(String, String)], to target: String) throws {
        let fm = FileManager.default
        let stage = try StagingDirectory(for: target)
        defer { stage.discard() }
        let directory = stage.path
        try fm.createDirectory(atPath: directory + "/textgrids", withIntermediateDirectories: true)
        let settings = aligner.model.features?.fbank ?? FbankOptions()
        let shift = settings.frameShiftMilliseconds / 1000
        let length = settings.frameLengthMilliseconds / 1000
        var phonesCTM = "", wordsCTM = "", csv = "utterance,tier,start,end,label\n"
        var json = [[String: Any]]()
        let archive = try KaldiArchiveWriter(path: directory + "/ali.ark")
        for key in results.keys.sorted(by: cLocaleLess) {
            let a = results[key]!
            phonesCTM += writer.ctm(key, a.phones, refined: a.refinedBoundaries)
            wordsCTM += writer.ctm(key, a.words, refined: a.refinedBoundaries)
            csv += writer.csv(a)
            json.append(writer.json(a))
            try archive.write(key: key, .intVector(a.frameClasses))
            let duration = Double(a.frames - 1) * shift + length
            let name = key.replacingOccurrences(of: "/", with: "_")
            try AtomicFile.write(writer.textGrid(a, duration: duration), to: "\(directory)/textgrids/\(name).TextGrid")
        }
        try archive.commit()
        for recording in recordings {
            let pieces = recording.utterances.compactMap { u in results[u.id].map { (offset: u.startSeconds, alignment: $0) } }
            guard !pieces.isEmpty else { continue }
            let names = speakerTiers ? (words: "\(recording.speakerName) - words", phones: "\(recording.speakerName) - phones") : (words: "words", phones: "phones")
            let file = "\(directory)/\(recording.relativeName).TextGrid"
            try fm.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(writer.textGrid(pieces, duration: recording.durationSeconds, tierNames: names), to: file)
        }
        try AtomicFile.write(phonesCTM, to: directory + "/phones.ctm")
        try AtomicFile.write(wordsCTM, to: directory + "/words.ctm")
        try AtomicFile.write(csv, to: directory + "/alignment.csv")
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(String(decoding: data, as: UTF8.self) + "\n", to: directory + "/alignment.json")
        try stage.writeFailureList(failures.map { (utterance: $0.0, reason: $0.1) })
        try stage.commit()
    }
}
