import Acoustic
import Foundation
import KaldiIO

/// A labelled run of frames: `[start, end)`.
public struct AlignedSegment: Equatable, Codable, Sendable {
    public var label: String
    public var start: Int
    public var end: Int

    public init(label: String, start: Int, end: Int) {
        self.label = label
        self.start = start
        self.end = end
    }
}

/// The alignment of one utterance.
public struct UtteranceAlignment: Equatable, Sendable {
    public var utterance: String
    /// Class of every frame (training targets).
    public var frameClasses: [Int32]
    /// Phones, silence labelled `SIL`, tiling all frames.
    public var phones: [AlignedSegment]
    /// Words only (silences are the gaps).
    public var words: [AlignedSegment]
    /// Best-path score (sum of per-frame log-scores).
    public var score: Double
    /// Boundary times in seconds that replace the frame grid's, keyed by the frame the boundary
    /// precedes (set by a `BoundaryRefiner`); empty for times on the grid.
    public var refinedBoundaries: [Int: Double] = [:]
    public var frames: Int { frameClasses.count }

    public init(utterance: String, frameClasses: [Int32], phones: [AlignedSegment], words: [AlignedSegment], score: Double) {
        self.utterance = utterance
        self.frameClasses = frameClasses
        self.phones = phones
        self.words = words
        self.score = score
    }
}

/// Aligns transcripts to audio with an acoustic model: network log-posteriors (optionally minus a
/// scaled log-prior, the hybrid "scaled likelihood"), then Viterbi through the transcript's graph.
public struct ForcedAligner {
    public let model: AcousticModel
    public let compiler: TranscriptCompiler
    /// Frames each phone lasts at least. Default 3 (30 ms at 10 ms).
    public var minimumDuration = 3
    /// Frames a silence between words lasts at least; nil for `minimumDuration`. Default nil.
    public var minimumPause: Int?
    /// Weight of the subtracted log-prior; 0 uses posteriors as they are. Default 0.
    public var priorScale: Float = 0
    /// Log-prior of each class (needed when `priorScale` > 0).
    public var logPriors: [Float]?
    /// Allow silence at the ends and between words. Default true.
    public var optionalSilence = true

    public init(model: AcousticModel, compiler: TranscriptCompiler) {
        self.model = model
        self.compiler = compiler
    }

    /// Network log-posteriors of one utterance (`frames × classes`).
    /// - Parameter features: its raw features when already read (read from `source` otherwise).
    public func logPosteriors(_ utterance: String, features: Matrix? = nil, source: FeatureSource, workspace: NetworkWorkspace) throws -> Matrix {
        let scores = try model.logPosteriors(utterance, features: features, source: source, workspace: workspace)
        guard scores.rows > 0 else { throw AlignError.transcriptTooLong(utterance: utterance, frames: 0, minimumFrames: 1) }
        return scores
    }

    /// Network log-posteriors of several utterances in one batched forward pass, per utterance
    /// its matrix or why not (an utterance without frames fails as `logPosteriors` does).
    /// - Parameter features: each utterance's raw features.
    public func logPosteriors(_ utterances: [String], features: [Matrix], source: FeatureSource, workspace: NetworkWorkspace) -> [Result<Matrix, Error>] {
        do {
            return try model.logPosteriors(utterances, features: features, source: source, workspace: workspace).enumerated().map { i, scores in
                scores.rows > 0 ? .success(scores) : .failure(AlignError.transcriptTooLong(utterance: utterances[i], frames: 0, minimumFrames: 1))
            }
        } catch {
            // One utterance spoils the batch (e.g. features of another dimension): one at a time,
            // so every error names its own utterance.
            return zip(utterances, features).map { key, raw in Result { try logPosteriors(key, features: raw, source: source, workspace: workspace) } }
        }
    }

    /// Aligns one utterance.
    /// - Throws: `AlignError` (empty transcript, OOV in skip mode, too long, …) or I/O errors.
    public func align(_ utterance: String, transcript: String, source: FeatureSource, workspace: NetworkWorkspace) throws -> UtteranceAlignment {
        let compiled = try compiler.compile(utterance: utterance, transcript: transcript)
        return try align(utterance, compiled: compiled, scores: alignmentScores(try logPosteriors(utterance, source: source, workspace: workspace)))
    }

    /// The scores Viterbi uses: log-posteriors minus `priorScale` × log-prior (unchanged without priors).
    public func alignmentScores(_ logPosteriors: Matrix) -> Matrix {
        AcousticModel.scaledLikelihoods(logPosteriors, logPriors: logPriors, priorScale: priorScale)
    }

    /// The flat-start alignment of one utterance (no model involved: silence where the recording
    /// is quiet, the transcript's first pronunciations spread uniformly over the rest) — the
    /// baseline that re-alignment training starts from.
    public func flatStartAlignment(_ utterance: String, transcript: String, source: FeatureSource, speechThreshold: Float = SpeechRegion.defaultThreshold) throws -> UtteranceAlignment {
        let compiled = try compiler.compile(utterance: utterance, transcript: transcript)
        let features = try source.normalizedFeatures(utterance)
        let positions = try compiler.flatStartPositions(compiled, frames: features.rows, utterance: utterance,
                                                        speech: SpeechRegion.segments(features, threshold: speechThreshold))
        // The same alignment as a path through the graph of first pronunciations: its phone units
        // in order are the positions; a silent frame is the optional silence before the next
        // phone's word (the final silence after the last phone).
        let graph = AlignmentGraph(words: compiled.pronunciations.map { [$0[0]] }, silence: compiler.silence, optionalSilence: true, minimumDuration: 1)
        let phoneUnits = graph.units.indices.filter { graph.units[$0].word != nil }
        var units = [Int](repeating: graph.units.count - 1, count: positions.count)
        var nextPhoneUnit: Int?
        for t in positions.indices.reversed() {
            if let position = positions[t] {
                units[t] = phoneUnits[position]
                nextPhoneUnit = phoneUnits[position]
            } else if let next = nextPhoneUnit {
                // The silence unit just before the first unit of the next phone's word.
                let word = graph.units[next].word!
                units[t] = graph.units.firstIndex { $0.word == word }! - 1
            }
        }
        return ForcedAligner.segments(utterance: utterance, path: ViterbiPath(units: units, score: 0), graph: graph, words: compiled.words, labels: compiler.phoneSet)
    }

    /// Aligns a compiled transcript to a score table.
    public func align(_ utterance: String, compiled: CompiledTranscript, scores: Matrix) throws -> UtteranceAlignment {
        let graph = AlignmentGraph(words: compiled.pronunciations, silence: compiler.silence, optionalSilence: optionalSilence,
                                   minimumDuration: minimumDuration, minimumPause: minimumPause)
        let path = try ViterbiAligner.align(graph, scores: scores, utterance: utterance)
        return ForcedAligner.segments(utterance: utterance, path: path, graph: graph, words: compiled.words, labels: compiler.phoneSet)
    }

    /// Phone and word segments of a Viterbi path.
    public static func segments(utterance: String, path: ViterbiPath, graph: AlignmentGraph, words: [String], labels: [String]) -> UtteranceAlignment {
        var phones = [AlignedSegment]()
        var wordSegments = [AlignedSegment]()
        var classes = [Int32]()
        classes.reserveCapacity(path.units.count)
        for (t, u) in path.units.enumerated() {
            let unit = graph.units[u]
            classes.append(Int32(unit.phone))
            if t > 0 && path.units[t - 1] == u {
                phones[phones.count - 1].end = t + 1
            } else {
                phones.append(AlignedSegment(label: labels[unit.phone], start: t, end: t + 1))
            }
            guard let w = unit.word else { continue }
            if let last = wordSegments.last, t > 0, let previousWord = graph.units[path.units[t - 1]].word, previousWord == w, last.end == t {
                wordSegments[wordSegments.count - 1].end = t + 1
            } else {
                wordSegments.append(AlignedSegment(label: words[w], start: t, end: t + 1))
            }
        }
        return UtteranceAlignment(utterance: utterance, frameClasses: classes, phones: phones, words: wordSegments, score: path.score)
    }
}
