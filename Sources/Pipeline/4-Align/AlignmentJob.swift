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
    public let transcripts: PackedTable
    public var jobs = 1
    /// Write flat-start alignments instead of the model's.
    public var flatStart = false
    /// Speech threshold of the flat start (see `SpeechRegion`).
    public var speechThreshold = SpeechRegion.defaultThreshold
    /// Utterances per network pass (one packed batch). Default `AcousticModel.batchSize`.
    public var batchSize = AcousticModel.batchSize
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

    public init(aligner: ForcedAligner, source: FeatureSource, transcripts: PackedTable) {
        self.aligner = aligner
        self.source = source
        self.transcripts = transcripts
        writer = AlignmentWriter(fbank: aligner.model.features?.fbank ?? FbankOptions())
    }

    /// Runs the job, writing each block of utterances' results as it is aligned (memory is bounded
    /// by the block, not the corpus). - Returns: aligned utterances and failures (utterance, reason), sorted.
    public func run(outputDirectory: String) throws -> (aligned: Int, failures: [(String, String)]) {
        let keys = Array(Set(source.keys).union(transcripts.keys).union(source.failedUtterances.keys)).sorted(by: cLocaleLess)
        let stage = try StagingDirectory(for: outputDirectory)
        defer { stage.discard() }
        let output = try Output(job: self, stage: stage)
        // A corpus folder's recording gets its TextGrid once the block holding its last utterance
        // (in key order) is aligned; only the alignments of recordings still open are kept.
        let inRecordings = Set(recordings.flatMap { $0.utterances.map(\.id) })
        var open = recordings.compactMap { recording in
            recording.utterances.map(\.id).max(by: cLocaleLess).map { (recording: recording, last: $0) }
        }.sorted { cLocaleLess($0.last, $1.last) }[...]
        var kept = [String: UtteranceAlignment]()
        func close(through end: String?) throws {
            while let next = open.first, end.map({ !cLocaleLess($0, next.last) }) ?? true {
                try output.writeRecording(next.recording, alignments: kept)
                for utterance in next.recording.utterances { kept[utterance.id] = nil }
                open.removeFirst()
            }
        }
        // Batches of utterances of about one length (read from the archives' headers): little
        // padding, and the longest of a block first, before its results pile up.
        let (aligned, failures) = try WorkerPool.runInBlocks(keys, jobs: jobs, batchSize: batchSize, length: { self.source.features.rows(of: $0) ?? 0 },
                                                             state: NetworkWorkspace.forInference, progress: progress) { batch, workspace in
            alignments(batch, workspace: workspace).map { $0.map(\.alignment) }
        } consume: { block, results in
            for (key, alignment) in results {
                try output.append(key, alignment)
                if inRecordings.contains(key) { kept[key] = alignment }
            }
            try close(through: block.last)
        }
        try close(through: nil)
        try output.finish(failures: failures)
        return (aligned, failures)
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

    /// The output files, written in a staging directory one utterance at a time and moved into
    /// `target` together by `finish`.
    private final class Output {
        let job: AlignmentJob
        let stage: StagingDirectory
        let phonesCTM: AtomicFile, wordsCTM: AtomicFile, csv: AtomicFile
        let json: JSONArrayWriter
        let archive: KaldiArchiveWriter
        let shift: Double, length: Double

        init(job: AlignmentJob, stage: StagingDirectory) throws {
            self.job = job
            self.stage = stage
            let directory = stage.path
            try FileManager.default.createDirectory(atPath: directory + "/textgrids", withIntermediateDirectories: true)
            phonesCTM = try AtomicFile(path: directory + "/phones.ctm")
            wordsCTM = try AtomicFile(path: directory + "/words.ctm")
            csv = try AtomicFile(path: directory + "/alignment.csv")
            try csv.write("utterance,tier,start,end,label\n")
            json = try JSONArrayWriter(path: directory + "/alignment.json")
            archive = try KaldiArchiveWriter(path: directory + "/ali.ark", indexed: false)
            let settings = job.aligner.model.features?.fbank ?? FbankOptions()
            shift = settings.frameShiftMilliseconds / 1000
            length = settings.frameLengthMilliseconds / 1000
        }

        func append(_ key: String, _ a: UtteranceAlignment) throws {
            let writer = job.writer
            let times = writer.boundaryTimes(a)
            try phonesCTM.write(writer.ctm(key, a.phones, refined: times))
            try wordsCTM.write(writer.ctm(key, a.words, refined: times))
            try csv.write(writer.csv(a))
            try json.append(writer.json(a))
            try archive.write(key: key, .intVector(a.frameClasses))
            let duration = Double(a.frames - 1) * shift + length
            let name = key.replacingOccurrences(of: "/", with: "_")
            try AtomicFile.write(writer.textGrid(a, duration: duration), to: "\(stage.path)/textgrids/\(name).TextGrid")
        }

        /// Writes a corpus folder recording's TextGrid, at its path in the folder, from its
        /// utterances' alignments (none when none of them was aligned).
        func writeRecording(_ recording: CorpusFolder.Recording, alignments results: [String: UtteranceAlignment]) throws {
            let pieces = recording.utterances.compactMap { u in results[u.id].map { (offset: u.startSeconds, alignment: $0) } }
            guard !pieces.isEmpty else { return }
            let names = job.speakerTiers ? (words: "\(recording.speakerName) - words", phones: "\(recording.speakerName) - phones") : (words: "words", phones: "phones")
            let file = "\(stage.path)/\(recording.relativeName).TextGrid"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(job.writer.textGrid(pieces, duration: recording.durationSeconds, tierNames: names), to: file)
        }

        /// Writes the failure list and moves everything into place.
        func finish(failures: [(String, String)]) throws {
            try archive.commit()
            try phonesCTM.commit()
            try wordsCTM.commit()
            try csv.commit()
            try json.commit()
            try stage.writeFailureList(failures.map { (utterance: $0.0, reason: $0.1) })
            try stage.commit()
        }
    }
}
