import Acoustic
import Core
import Corpus
import Foundation
import KaldiIO
import Transcription

/// Decodes every utterance of a features directory and writes the results to `outputDirectory`:
///
///     text         UTT hypothesis (words, or phones in the phone modes), Kaldi's text format
///     phones.ctm   UTT 1 start duration phone confidence (silence left out)
///     words.ctm    the same for words (word modes)
///     decode.json  per utterance: hypothesis, score, words and phones in seconds
///     failed.txt   utterances that could not be decoded, and why
///
/// A failing utterance is listed and the rest complete; the files are written into a staging
/// directory and moved into place together, so a failed run leaves the previous ones intact.
public struct DecodeJob {
    public let recognizer: Recognizer
    public let source: FeatureSource
    public var jobs = 1
    /// Seconds of every frame boundary (frame shift and window-centre offset, as alignments use).
    public var times = AlignmentWriter()
    /// Seconds per frame.
    public var frameShift: Double { times.frameShift }
    /// Called after each utterance with (done, total); one call at a time.
    public var progress: ((Int, Int) -> Void)?

    public init(recognizer: Recognizer, source: FeatureSource) {
        self.recognizer = recognizer
        self.source = source
    }

    public struct Summary {
        public var decoded: Int
        public var failures: [(String, String)]
        /// Frames decoded (for × real time).
        public var frames: Int
    }

    /// Decodes `keys` (default: every utterance of the source, and those whose features failed).
    public func run(outputDirectory: String, keys requested: [String]? = nil) throws -> Summary {
        let keys = (requested ?? Array(Set(source.keys).union(source.failedUtterances.keys))).sorted(by: cLocaleLess)
        let stage = try StagingDirectory(for: outputDirectory)
        defer { stage.discard() }
        let output = try Output(job: self, stage: stage)
        var frames = 0
        let (decoded, failures) = try recognize(keys, progress: progress) { key, recognition in
            try output.append(key, recognition)
            frames += recognition.frames
        }
        try output.finish(failures: failures)
        return Summary(decoded: decoded, failures: failures, frames: frames)
    }

    /// Recognizes `keys` and hands each result to `consume` (in blocks, in order within a
    /// block); returns how many were recognized and the failures with their reasons.
    public func recognize(_ keys: [String], progress: ((Int, Int) -> Void)? = nil,
                          consume: (String, Recognition) throws -> Void) throws -> (count: Int, failures: [(String, String)]) {
        let available = Set(source.keys)
        // Batches of utterances of about one length share a network pass, as in `align`.
        return try WorkerPool.runInBlocks(keys, jobs: jobs, batchSize: AcousticModel.batchSize, length: { self.source.features.rows(of: $0) ?? 0 },
                                          state: NetworkWorkspace.forInference, progress: progress) { batch, workspace in
            recognizer.recognize(batch.map { key in
                // The features are read once, for both the network and the quiet-word gate's levels.
                let raw = Result {
                    guard available.contains(key) else { throw WorkerPool.Failure(source.missingFeaturesReason(key)) }
                    return try source.rawFeatures(key)
                }
                return (key, raw.map { raw in source.normalized(raw, of: key) },
                        recognizer.usesFrameLevels ? (try? raw.get()).map(QuietWordGate.frameLevels) : nil)
            }, workspace: workspace)
        } consume: { _, results in
            for (key, recognition) in results { try consume(key, recognition) }
        }
    }

    /// The output files, written in a staging directory one utterance at a time (memory bounded by
    /// a block of utterances, not the corpus) and moved into `target` together by `finish`.
    private final class Output {
        let job: DecodeJob
        let stage: StagingDirectory
        let text: AtomicFile, phones: AtomicFile, words: AtomicFile?
        let json: JSONArrayWriter

        init(job: DecodeJob, stage: StagingDirectory) throws {
            self.job = job
            self.stage = stage
            text = try AtomicFile(path: stage.path + "/text")
            phones = try AtomicFile(path: stage.path + "/phones.ctm")
            words = job.recognizer.mode.isWordSearch ? try AtomicFile(path: stage.path + "/words.ctm") : nil
            json = try JSONArrayWriter(path: stage.path + "/decode.json")
        }

        func append(_ key: String, _ r: Recognition) throws {
            let times = job.times
            func ctm(_ segments: [DecodedSegment]) -> String {
                segments.map { times.ctmLine(key, label: $0.label, start: $0.start, end: $0.end, confidence: $0.confidence) }.joined()
            }
            func list(_ segments: [DecodedSegment]) -> [[String: Any]] {
                segments.map { ["label": $0.label, "start": times.time($0.start), "end": times.time($0.end),
                                "confidence": Double(($0.confidence * 1000).rounded() / 1000)] }
            }
            try text.write(r.tokens.isEmpty ? "\(key)\n" : "\(key) \(r.tokens.joined(separator: " "))\n")
            try phones.write(ctm(r.phones))
            try words?.write(ctm(r.words))
            var entry: [String: Any] = ["utterance": key, "hypothesis": r.tokens.joined(separator: " "), "phones": list(r.phones),
                                        "duration": Double(r.frames) * job.frameShift]
            if !r.words.isEmpty { entry["words"] = list(r.words) }
            if let score = r.score { entry["score"] = Double(score) }
            try json.append(entry)
        }

        func finish(failures: [(String, String)]) throws {
            try text.commit()
            try phones.commit()
            try words?.commit()
            try json.commit()
            try stage.writeFailureList(failures.map { (utterance: $0.0, reason: $0.1) })
            try stage.commit()
        }
    }
}
