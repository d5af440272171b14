import Foundation
@testable import Align
import KaldiIO
import ParrotTestSupport
import Testing
import Align
import Core
import Training
import Transcription

@Suite struct BoundaryRefinerTests {
    /// The analytic gradient of the refiner's cross-entropy equals central finite differences.
    @Test func gradientMatchesFiniteDifferences() {
        let inputSize = 5, hidden = 4, outputs = 3, count = 6
        var random = SeededGenerator(seed: 11)
        let parameters = (0..<BoundaryRefiner.parameterCount(inputSize: inputSize, hiddenUnits: hidden, outputs: outputs)).map { _ in Float(random.gaussian() * 0.7) }
        let inputs = (0..<(count * inputSize)).map { _ in Float(random.gaussian()) }
        let targets = (0..<count).map { $0 % outputs }
        func loss(_ p: [Float]) -> Double {
            BoundaryRefiner.lossAndGradient(parameters: p, inputs: inputs, targets: targets, inputSize: inputSize, hiddenUnits: hidden, outputs: outputs).loss
        }
        let gradient = BoundaryRefiner.lossAndGradient(parameters: parameters, inputs: inputs, targets: targets, inputSize: inputSize,
                                                       hiddenUnits: hidden, outputs: outputs).gradient
        let h: Float = 1e-2
        for i in parameters.indices {
            var plus = parameters, minus = parameters
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * Double(h))
            #expect(abs(numeric - Double(gradient[i])) < 2e-3 + 0.02 * abs(numeric), "parameter \(i): analytic \(gradient[i]), numeric \(numeric)")
        }
    }

    /// One utterance alternating phones A (class 1) and B (class 2), each `lengths[k]` frames;
    /// the features step with the phone (A ≈ (1, 0), B ≈ (0, 1), plus noise), and the aligner's
    /// boundaries sit exactly on the steps. The reference convention puts A → B boundaries 20 ms
    /// later and B → A boundaries 10 ms earlier.
    static func utterance(_ name: String, lengths: [Int], random: inout SeededGenerator, writer: AlignmentWriter)
        -> (alignment: UtteranceAlignment, features: Matrix, reference: [CTMEntry]) {
        var phones = [AlignedSegment](), classes = [Int32](), reference = [CTMEntry]()
        var features = Matrix(rows: 0, columns: 2)
        var frame = 0
        for (k, length) in lengths.enumerated() {
            let label = k % 2 == 0 ? "A" : "B"
            phones.append(AlignedSegment(label: label, start: frame, end: frame + length))
            let shift = k == 0 ? 0 : (label == "B" ? 0.020 : -0.010)
            reference.append(CTMEntry(utterance: name, start: k == 0 ? 0 : writer.time(frame) + shift, duration: 0, label: label))
            for _ in 0..<length {
                classes.append(label == "A" ? 1 : 2)
                let a: Float = label == "A" ? 1 : 0
                features.appendRow([a + Float(random.gaussian() * 0.1), 1 - a + Float(random.gaussian() * 0.1)])
            }
            frame += length
        }
        let words = [AlignedSegment(label: "W", start: 0, end: frame)]
        return (UtteranceAlignment(utterance: name, frameClasses: classes, phones: phones, words: words, score: 0), features, reference)
    }

    /// Trained on utterances with that convention, the refiner moves the boundaries of a new
    /// utterance to within 3 ms of the reference; unrefined, they are 10 or 20 ms off.
    @Test func learnsWhereTheReferenceConventionPutsBoundaries() throws {
        let writer = AlignmentWriter(frameShift: 0.01, boundaryOffset: 0.0075)
        var random = SeededGenerator(seed: 5)
        var options = BoundaryRefinerOptions()
        options.hiddenUnits = 16
        options.epochs = 40
        options.batchSize = 32
        options.learningRate = 0.01
        var trainer = BoundaryRefinerTrainer(labels: ["SIL", "A", "B"], featureDimension: 2, options: options)
        for u in 0..<30 {
            let lengths = (0..<6).map { _ in random.integer(in: 4...12) }
            let example = Self.utterance("u\(u)", lengths: lengths, random: &random, writer: writer)
            trainer.add(try trainer.examples(example.alignment, reference: example.reference, features: example.features, writer: writer))
        }
        #expect(trainer.count == 30 * 5)
        let refiner = try trainer.train()
        var test = Self.utterance("test", lengths: [8, 6, 10, 5, 9, 7], random: &random, writer: writer)
        try refiner.refine(&test.alignment, features: test.features, writer: writer)
        for (k, segment) in test.alignment.phones.enumerated().dropFirst() {
            let refined = try #require(test.alignment.refinedBoundaries[segment.start])
            #expect(abs(refined - test.reference[k].start) < 0.003, "boundary \(k): refined \(refined), reference \(test.reference[k].start)")
            #expect(abs(writer.time(segment.start) - test.reference[k].start) >= 0.0099)
        }
        // The written CTM carries the refined times, and the word tier keeps its ends on the grid.
        let ctm = writer.ctm("test", test.alignment.phones, refined: test.alignment.refinedBoundaries)
        let starts = ctm.split(separator: "\n").map { Double($0.split(separator: " ")[2])! }
        #expect(zip(starts.dropFirst(), test.reference.dropFirst()).allSatisfy { abs($0 - $1.start) < 0.0035 })
    }

    /// A refiner that always says "60 ms later" cannot push boundaries past each other or past
    /// the end: they stay in order at least 5 ms apart, and a word boundary on a phone boundary
    /// moves with it.
    @Test func refinedBoundariesStayInOrderInsideTheUtterance() throws {
        let writer = AlignmentWriter(frameShift: 0.01, boundaryOffset: 0.0075)
        let labels = ["SIL", "A", "B"], context = 1, hidden = 2
        let offsets = [-0.06, 0, 0.06]
        let inputSize = BoundaryRefiner.inputSize(context: context, featureDimension: 1, classes: labels.count)
        var parameters = [Float](repeating: 0, count: BoundaryRefiner.parameterCount(inputSize: inputSize, hiddenUnits: hidden, outputs: offsets.count))
        parameters[parameters.count - 1] = 50   // b₂ of the +60 ms class
        let refiner = BoundaryRefiner(labels: labels, context: context, featureDimension: 1, offsets: offsets, hiddenUnits: hidden,
                                      inputMean: [Float](repeating: 0, count: inputSize), inputScale: [Float](repeating: 1, count: inputSize),
                                      parameters: parameters)
        var alignment = UtteranceAlignment(
            utterance: "u", frameClasses: [Int32](repeating: 1, count: 13),
            phones: [AlignedSegment(label: "SIL", start: 0, end: 5), AlignedSegment(label: "A", start: 5, end: 8),
                     AlignedSegment(label: "B", start: 8, end: 11), AlignedSegment(label: "A", start: 11, end: 13)],
            words: [AlignedSegment(label: "X", start: 5, end: 11), AlignedSegment(label: "Y", start: 11, end: 13)], score: 0)
        try refiner.refine(&alignment, features: Matrix(rows: 13, columns: 1), writer: writer)
        let times = [5, 8, 11].map { alignment.refinedBoundaries[$0]! }
        #expect(abs(times[0] - (writer.time(5) + 0.06)) < 1e-9)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 0.005 - 1e-9 })
        #expect(abs(times[2] - (writer.time(13) - 0.005)) < 1e-9)   // pulled back from the end
        let words = writer.ctm("u", alignment.words, refined: alignment.refinedBoundaries).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(Double(words[1][2])! == Double(String(format: "%.3f", times[2]))!)
        #expect(throws: AlignError.self) { try refiner.refine(&alignment, features: Matrix(rows: 13, columns: 2), writer: writer) }
    }

    /// A refiner file whose sizes disagree is refused with a message naming it.
    @Test func aDamagedRefinerFileIsRefused() throws {
        let dir = try TestSupport.temporaryDirectory()
        let refiner = BoundaryRefiner(labels: ["SIL", "A"], context: 1, featureDimension: 1, offsets: [0], hiddenUnits: 1,
                                      inputMean: [0, 0, 0, 0, 0, 0], inputScale: [1, 1, 1, 1, 1, 1], parameters: [Float](repeating: 0, count: 9))
        try refiner.write(to: dir + "/good.refiner")
        #expect(try BoundaryRefiner.read(path: dir + "/good.refiner") == refiner)
        var damaged = refiner
        damaged.parameters.removeLast()
        try damaged.write(to: dir + "/bad.refiner")
        #expect(throws: AlignError.refinerMismatch(reason: "\(dir)/bad.refiner is damaged: its sizes do not agree")) {
            _ = try BoundaryRefiner.read(path: dir + "/bad.refiner")
        }
    }
}
