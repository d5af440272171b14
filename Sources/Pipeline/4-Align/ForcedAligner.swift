import Acoustic
import Core
import Foundation
import KaldiIO
import Transcription

/// Aligns transcripts to audio with an acoustic model: network log-posteriors (optionally minus a
/// scaled log-prior, the hybrid "scaled likelihood"), then Viterbi through the transcript's graph
/// (with a CTC model: the best CTC path, see `ctcAlign`).
///
/// Its inputs are values: compiled transcripts and CMVN-applied feature matrices (`frames × D`).
/// Every alignment under a model — `parrot align`, training's re-alignment rounds, launched
/// re-alignment jobs, the refiner's trainer — goes through the one batched `align(_:workspace:)`.
public struct ForcedAligner {
    public let model: AcousticModel
    public let compiler: TranscriptCompiler
    public var options: AlignerOptions
    /// Log-prior of each class (needed when `options.priorScale` > 0).
    public var logPriors: [Float]?

    public init(model: AcousticModel, compiler: TranscriptCompiler, options: AlignerOptions = AlignerOptions()) {
        self.model = model
        self.compiler = compiler
        self.options = options
    }

    /// One utterance to align: its key, compiled transcript and features (`frames × D`, CMVN applied).
    public struct Input {
        public var utterance: String
        public var transcript: CompiledTranscript
        public var features: Matrix

        public init(utterance: String, transcript: CompiledTranscript, features: Matrix) {
            self.utterance = utterance
            self.transcript = transcript
            self.features = features
        }
    }

    /// An utterance's alignment and the log-likelihood of its path: the sum of the network's
    /// log-posteriors along it (without the prior; what training reports per round).
    public struct Output {
        public var alignment: UtteranceAlignment
        public var logLikelihood: Double
        /// The posteriors of the path's classes on its speech frames (silence left out), summed,
        /// and their number: how sure the network is of the transcript's phones where it puts
        /// them (`SpeakerWarpSearch`). Zero for a CTC model.
        public var speechPosteriors = 0.0, speechFrames = 0
    }

    /// Aligns several utterances, the network running on all of them in one padded batch.
    /// - Returns: per input, in order, its alignment or why it could not be aligned (an utterance
    ///   without frames is too short for its transcript; one with features of another dimension
    ///   fails alone).
    public func align(_ inputs: [Input], workspace: NetworkWorkspace) -> [Result<Output, Error>] {
        logPosteriors(inputs, workspace: workspace).enumerated().map { i, scores in
            Result {
                let posteriors = try scores.get()
                if model.criterion == .ctc {
                    let alignment = try ctcAlign(inputs[i].utterance, compiled: inputs[i].transcript, logPosteriors: posteriors)
                    return Output(alignment: alignment, logLikelihood: alignment.score)
                }
                let alignment = try align(inputs[i].utterance, compiled: inputs[i].transcript, scores: alignmentScores(posteriors))
                var output = Output(alignment: alignment, logLikelihood: 0)
                let silence = compiler.silence
                for (t, c) in alignment.frameClasses.enumerated() {
                    let logPosterior = posteriors[t, Int(c)]
                    output.logLikelihood += Double(logPosterior)
                    if Int(c) != silence {
                        output.speechPosteriors += Double(exp(logPosterior))
                        output.speechFrames += 1
                    }
                }
                return output
            }
        }
    }

    /// Aligns `utterances` as `align(_:workspace:)` does, taking each one's compiled transcript
    /// and features (`frames × D`, CMVN applied) from the closures, in that order: an utterance
    /// whose transcript or features fail keeps that error, the rest share one network pass.
    /// - Returns: per utterance, in order, its output and features, or why it was not aligned.
    public func align(_ utterances: [String], transcript: (String) throws -> CompiledTranscript, features: (String) throws -> Matrix,
                      workspace: NetworkWorkspace) -> [Result<(output: Output, features: Matrix), Error>] {
        let inputs = utterances.map { key in Result { Input(utterance: key, transcript: try transcript(key), features: try features(key)) } }
        var aligned = align(inputs.compactMap { try? $0.get() }, workspace: workspace)[...]
        return inputs.map { input in
            input.flatMap { input in
                guard let output = aligned.popFirst() else { preconditionFailure("one output per input") }
                return output.map { ($0, input.features) }
            }
        }
    }

    /// Network log-posteriors of the inputs in one batched forward pass, per input its
    /// `frames × classes` matrix or why not.
    private func logPosteriors(_ inputs: [Input], workspace: NetworkWorkspace) -> [Result<Matrix, Error>] {
        func checked(_ scores: Matrix, _ utterance: String) throws -> Matrix {
            guard scores.rows > 0 else { throw AlignError.transcriptTooLong(utterance: utterance, frames: 0, minimumFrames: 1) }
            return scores
        }
        return zip(inputs, model.logPosteriors(inputs.map { .success($0.features) }, workspace: workspace)).map { input, scores in
            Result { try checked(try scores.get(), input.utterance) }
        }
    }

    /// The scores Viterbi uses: log-posteriors minus `priorScale` × log-prior (unchanged without priors).
    public func alignmentScores(_ logPosteriors: Matrix) -> Matrix {
        AcousticModel.scaledLikelihoods(logPosteriors, logPriors: logPriors, priorScale: options.priorScale)
    }

    /// The flat-start alignment of one utterance (no model involved: silence where the recording
    /// is quiet, the transcript's first pronunciations spread uniformly over the rest) — the
    /// baseline that re-alignment training starts from.
    /// - Parameters:
    ///   - compiled: the utterance's transcript, compiled by `compiler`.
    ///   - features: the utterance's features (`frames × D`, CMVN applied), for its quiet stretches.
    public func flatStartAlignment(_ utterance: String, compiled: CompiledTranscript, features: Matrix, speechThreshold: Float = SpeechRegion.defaultThreshold) throws -> UtteranceAlignment {
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
        return UtteranceAlignment(utterance: utterance, path: ViterbiPath(units: units, score: 0), graph: graph, words: compiled.words, labels: compiler.phoneSet)
    }

    /// Aligns a compiled transcript to a score table.
    public func align(_ utterance: String, compiled: CompiledTranscript, scores: Matrix) throws -> UtteranceAlignment {
        let graph = AlignmentGraph(words: compiled.pronunciations, silence: compiler.silence, optionalSilence: options.optionalSilence,
                                   minimumDuration: options.minimumDuration, minimumPause: options.minimumPause, variantCost: options.variantCost)
        let path = try ViterbiAligner.align(graph, scores: scores, utterance: utterance)
        var alignment = UtteranceAlignment(utterance: utterance, path: path, graph: graph, words: compiled.words, labels: compiler.phoneSet)
        if options.subframeBoundaries { alignment.boundaryShifts = Self.boundaryShifts(alignment.frameClasses, scores: scores) }
        return alignment
    }

    /// Where each boundary between two classes falls between the centres of the frames around it
    /// (`UtteranceAlignment.boundaryShifts`). For the boundary before frame t, between class a on
    /// frame t − 1 and class b on frame t, the margin d = score(a) − score(b) is positive at t − 1
    /// and negative at t when the scores agree with the path; the boundary goes where the straight
    /// line between the two margins crosses zero, a fraction d(t − 1) / (d(t − 1) − d(t)) of the
    /// way from the one centre to the other (0.5: the grid's boundary, halfway). Boundaries whose
    /// margins do not change sign stay on the grid. On development data (voices and an engine
    /// never heard, and a model's own training recordings) this put 0.3 to 0.6 more points of
    /// boundaries within 20 ms of the synthesizers' times than the grid.
    static func boundaryShifts(_ classes: [Int32], scores: Matrix) -> [Int: Double] {
        var shifts = [Int: Double]()
        for t in classes.indices.dropFirst() where classes[t] != classes[t - 1] {
            let a = Int(classes[t - 1]), b = Int(classes[t])
            let before = Double(scores[t - 1, a]) - Double(scores[t - 1, b]), after = Double(scores[t, a]) - Double(scores[t, b])
            guard before > 0, after < 0 else { continue }
            shifts[t] = before / (before - after) - 0.5
        }
        return shifts
    }
}
