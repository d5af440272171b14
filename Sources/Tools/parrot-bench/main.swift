import Acoustic
import Align
import Audio
import Core
import CRecurrentKernel
import Corpus
import Decode
import Foundation
import KaldiIO
import Transcription

// parrot-bench features WAV [REPEATS]
//   Times log-Mel filterbank extraction (40 bins, Kaldi settings) over the whole file held in
//   memory, with one worker and with two (each half of the signal on its own thread).
//   Prints: name, threads, best ms, times real time, frames per second.
// parrot-bench train LAYERS HIDDEN [BATCH FRAMES STEPS]
//   Times BiLSTM training steps (forward + backward + Adam) and inference on random 40-dim
//   input, 42 classes, in the precision PARROT_PRECISION names (fp32 unless bf16). Prints: name
//   (parrot-fp32 or parrot-bf16), config, train frames/s, inference frames/s, GFLOP/s, peak RSS.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("parrot-bench: \(message)\n".utf8))
    exit(2)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func benchFeatures(_ arguments: ArraySlice<String>) throws {
    guard let path = arguments.first else { fail("usage: parrot-bench features WAV [REPEATS]") }
    let repeats = arguments.count > 1 ? Int(arguments[arguments.startIndex + 1]) ?? 30 : 30
    let audio = try SoundFile.read(path: path)
    var options = FbankOptions()
    options.sampleRate = audio.sampleRate
    let samples = try audio.mono(channel: nil, path: path).samples
    let seconds = Double(samples.count) / Double(audio.sampleRate)

    func best(_ body: () -> Int) -> (milliseconds: Double, frames: Int) {
        var bestTime = Double.infinity
        var frames = 0
        for _ in 0..<repeats {
            let start = now()
            frames = body()
            bestTime = min(bestTime, (now() - start) * 1000)
        }
        return (bestTime, frames)
    }

    let single = try FbankComputer(options: options)
    _ = single.compute(samples)
    let one = best { single.compute(samples).rows }
    let computers = [try FbankComputer(options: options), try FbankComputer(options: options)]
    let totalFrames = single.frameCount(sampleCount: samples.count)
    let half = totalFrames / 2
    let shift = options.frameShiftSamples, length = options.frameLengthSamples
    let parts = [Array(samples[0..<((half - 1) * shift + length)]), Array(samples[(half * shift)...])]
    let two = best {
        let rows = (try? WorkerPool.parallel(parts: 2) { computers[$0].compute(parts[$0]).rows }) ?? []
        return rows.reduce(0, +)
    }
    precondition(two.frames == totalFrames, "split lost frames")
    print(String(format: "audio: %.1f s at %d Hz, %d frames, 40 bins; best of %d runs", seconds, audio.sampleRate, totalFrames, repeats))
    for (threads, result) in [(1, one), (2, two)] {
        print(String(format: "parrot\t%d\t%.2f\t%.0f\t%.0f", threads, result.milliseconds,
                     seconds / (result.milliseconds / 1000), Double(result.frames) / (result.milliseconds / 1000)))
    }
}

func benchTrain(_ arguments: ArraySlice<String>) {
    let values = arguments.map { Int($0) ?? -1 }
    guard values.count >= 2, values.allSatisfy({ $0 > 0 }) else { fail("usage: parrot-bench train LAYERS HIDDEN [BATCH FRAMES STEPS]") }
    let layers = values[0], hidden = values[1]
    let batchSize = values.count > 2 ? values[2] : 16, frames = values.count > 3 ? values[3] : 400, steps = values.count > 4 ? values[4] : 10
    let configuration = AcousticModelConfiguration(featureDimension: 40, classes: 42, layers: layers, hiddenUnits: hidden)
    var random = SeededGenerator(seed: 1)
    let network = BiLSTMNetwork(configuration: configuration, random: &random)
    let inputs = (0..<batchSize).map { _ in (0..<(frames * 40)).map { _ in Float.random(in: -1...1, using: &random) } }
    let targets = (0..<batchSize).map { _ in (0..<frames).map { _ in Int32(random.integer(in: 0...41)) } }
    let batch = Batch(keys: (0..<batchSize).map { "u\($0)" }, inputs: inputs, targets: targets, dimension: 40)
    let workspace = NetworkWorkspace()
    var gradient = [Float](repeating: 0, count: network.parameterCount)
    var optimizer = AdamOptimizer(parameterCount: network.parameterCount, learningRate: 1e-3)
    func trainStep() {
        network.forward(batch, workspace: workspace)
        for i in gradient.indices { gradient[i] = 0 }
        network.backward(batch, workspace: workspace, gradient: &gradient)
        optimizer.update(parameters: &network.parameters, gradient: gradient)
    }
    // PARROT_BENCH_INFERENCE_ONLY=1 skips training (for profiling inference alone).
    let inferenceOnly = ProcessInfo.processInfo.environment["PARROT_BENCH_INFERENCE_ONLY"] != nil
    var bestTrain = Double.infinity
    if !inferenceOnly {
        trainStep()
        for _ in 0..<steps { let s = now(); trainStep(); bestTrain = min(bestTrain, now() - s) }
    }
    var bestInference = Double.infinity
    for _ in 0..<steps { let s = now(); network.forward(batch, workspace: workspace); bestInference = min(bestInference, now() - s) }
    // Multiply-adds per frame: 4H·(I+H) per layer and direction, plus the output layer.
    var flopsPerFrame = 0.0
    for l in 0..<layers {
        let input = l == 0 ? 40 : 2 * hidden
        flopsPerFrame += 2 * 2 * Double(4 * hidden * (input + hidden))
    }
    flopsPerFrame += 2 * Double(42 * 2 * hidden)
    let batchFrames = Double(batchSize * frames)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("parrot-\(Precision.active.rawValue)\t" + String(format: "%dx%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f", layers, hidden, batchFrames / bestTrain, batchFrames / bestInference,
                 3 * flopsPerFrame * batchFrames / bestTrain / 1e9, flopsPerFrame * batchFrames / bestInference / 1e9,
                 Double(usage.ru_maxrss) / 1024))
}

/// CTC loss and gradient of a batch of random log-posteriors (`parrot-bench ctc B T C L`): the
/// best of 20 passes, in milliseconds.
func benchCTC(_ arguments: ArraySlice<String>) {
    let values = arguments.map { Int($0) ?? -1 }
    guard values.count == 4, values.allSatisfy({ $0 > 0 }), values[2] > 1 else { fail("usage: parrot-bench ctc BATCH FRAMES CLASSES LABELS") }
    let (batchSize, frames, classes, labelCount) = (values[0], values[1], values[2], values[3])
    var random = SeededGenerator(seed: 1)
    var logPosteriors = [Float]()
    for _ in 0..<(frames * batchSize) {
        let row = (0..<classes).map { _ in Float.random(in: -3...3, using: &random) }
        let total = log(row.reduce(0) { $0 + exp($1) })
        logPosteriors += row.map { $0 - total }
    }
    let labels = (0..<batchSize).map { _ in (0..<labelCount).map { _ in Int32(random.integer(in: 0...(classes - 2))) } }
    var gradient = [Float](repeating: 0, count: logPosteriors.count)
    let lengths = [Int](repeating: frames, count: batchSize)
    var best = Double.infinity
    for _ in 0..<20 {
        let s = now()
        _ = CTC.batchLossAndGradient(logPosteriors, lengths: lengths, labels: labels, classes: classes, blank: classes - 1, gradient: &gradient)
        best = min(best, now() - s)
    }
    print(String(format: "parrot\t%.2f", best * 1000))
}

/// The machine's practical SGEMM peak here: best of a few 2048³ products through OpenBLAS.
func benchPeak() {
    let n = 2048
    var random = SeededGenerator(seed: 2)
    let a = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &random) }
    var c = [Float](repeating: 0, count: n * n)
    for threads in [1, 2] {
        BLAS.setThreadCount(threads)
        var best = Double.infinity
        for _ in 0..<4 {
            let s = now()
            BLAS.gemm(m: n, n: n, k: n, a: a, b: a, c: &c)
            best = min(best, now() - s)
        }
        print(String(format: "peak\t%d\t%.0f", threads, 2 * Double(n * n * n) / best / 1e9))
    }
}

// parrot-bench arithmetic
//   The vector unit's peak: 512-bit FP32 multiply-adds and, where the CPU has AVX512_BF16, BF16
//   dot-product accumulations, in registers (no memory traffic), on 1 thread and on 2 at once.
//   Prints: arithmetic, fp32 or bf16, threads, GFLOP/s. No product of real data can run faster.
func benchArithmetic() {
    guard parrot_recurrent_kernel_available() != 0 else { fail("this CPU has no AVX-512") }
    let iterations = 100_000_000
    for (name, bf16, flops) in [("fp32", Int32(0), 32.0), ("bf16", Int32(1), 64.0)] where bf16 == 0 || parrot_bf16_available() != 0 {
        for threads in [1, 2] {
            var best = Double.infinity
            for _ in 0..<3 {
                let s = now()
                DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = parrot_peak_probe(iterations, bf16) }
                best = min(best, now() - s)
            }
            print(String(format: "arithmetic\t%@\t%d\t%.0f", name, threads, Double(threads * iterations) * 16 * flops / best / 1e9))
        }
    }
}

/// Viterbi alone: 2,000 frames against 150 phones (50 three-phone words), as the issue's
/// torchaudio CTC `forced_align` comparison; with Parrot's full topology (optional silences,
/// 3-frame minimum duration), so the graph has more states than tokens.
func benchViterbi() {
    var random = SeededGenerator(seed: 3)
    let frames = 2000, classes = 42
    let scores = Matrix(rows: frames, columns: classes, values: (0..<(frames * classes)).map { _ in log(Float.random(in: 0.001...1, using: &random)) })
    let words = (0..<50).map { _ in [[random.integer(in: 2...41), random.integer(in: 2...41), random.integer(in: 2...41)]] }
    for duration in [1, 3] {
        let graph = AlignmentGraph(words: words, silence: 0, optionalSilence: true, minimumDuration: duration)
        var best = Double.infinity
        for _ in 0..<10 {
            let s = now()
            _ = try? ViterbiAligner.align(graph, scores: scores, utterance: "bench")
            best = min(best, now() - s)
        }
        print(String(format: "viterbi\tmin-duration %d\t%d states\t%.2f ms\t%.0f M state-frames/s\t(%.0f M token-frames/s for 150 tokens)",
                     duration, graph.stateCount, best * 1000, Double(graph.stateCount * frames) / best / 1e6, Double(150 * frames) / best / 1e6))
    }
}


/// Decoding speed after the network: log-posteriors of every utterance computed first (timed
/// separately), then greedy merging and lexicon search over them, utterances shared by two
/// threads. Prints × real time of each.
func benchDecode(_ arguments: ArraySlice<String>) throws {
    let a = Array(arguments)
    guard a.count >= 3 else { fail("usage: parrot-bench decode MODEL FEATS_DIR LEXICON [BEAM]") }
    let model = try ModelFile.read(path: a[0])
    var source = try FeatureSource(path: a[1])
    source.varianceNormalization = model.varianceNormalization
    let keys = source.keys
    let threads = 2
    func parallel(_ body: @escaping (Int, String) throws -> Void) {
        _ = try? WorkerPool.parallel(parts: threads) { job in
            for i in stride(from: job, to: keys.count, by: threads) { try? body(job, keys[i]) }
        }
    }
    final class Box: @unchecked Sendable { var posteriors = [String: Matrix](); let lock = NSLock() }
    let box = Box()
    var started = now()
    let workspaces = (0..<threads).map { _ in NetworkWorkspace() }
    parallel { job, key in
        let m = try model.logPosteriors(try source.normalizedFeatures(key), workspace: workspaces[job])
        box.lock.lock(); box.posteriors[key] = m; box.lock.unlock()
    }
    let networkSeconds = now() - started
    let frames = box.posteriors.values.reduce(0) { $0 + $1.rows }
    let audio = Double(frames) * 0.01
    print(String(format: "network\t%d utterances\t%.1f s of audio\t%.2f s\t%.0f× real time", keys.count, audio, networkSeconds, audio / networkSeconds))
    started = now()
    parallel { _, key in _ = GreedyDecoder.decode(box.posteriors[key]!, labels: model.classLabels) }
    let greedySeconds = now() - started
    print(String(format: "greedy\t%.3f s\t%.0f× real time", greedySeconds, audio / greedySeconds))
    started = now()
    let lexicon = try Lexicon(path: a[2])
    let tree = try LexiconTree(lexicon: lexicon, phoneSet: model.classLabels, model: WordLoop())
    let loadSeconds = now() - started
    print(String(format: "lexicon\t%d words\t%d pronunciations\t%d tree nodes\tloaded in %.2f s", tree.words.count, tree.pronunciations.count, tree.nodeCount, loadSeconds))
    var options = SearchOptions()
    if a.count > 3, let beam = Float(a[3]) { options.beam = beam }
    let decoder = BeamSearchDecoder(tree: tree, model: WordLoop(), silence: model.classLabels.firstIndex(of: "SIL") ?? 0, options: options)
    final class Stats: @unchecked Sendable { var active = 0.0; let lock = NSLock() }
    let stats = Stats()
    started = now()
    parallel { _, key in
        let r = try decoder.decode(box.posteriors[key]!, utterance: key)
        stats.lock.lock(); stats.active += r.meanActiveTokens; stats.lock.unlock()
    }
    let searchSeconds = now() - started
    print(String(format: "lexicon-search\tbeam %.0f\tmax-active %d\t%.2f s\t%.0f× real time\t%.0f tokens per frame (mean)",
                 options.beam, options.maxActive, searchSeconds, audio / searchSeconds, stats.active / Double(keys.count)))
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(String(format: "memory\tpeak resident %.0f MiB", Double(usage.ru_maxrss) / 1024))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: parrot-bench features WAV [REPEATS] | train LAYERS HIDDEN [BATCH FRAMES STEPS]") }
do {
    switch arguments[1] {
    case "features": try benchFeatures(arguments.dropFirst(2))
    case "train": benchTrain(arguments.dropFirst(2))
    case "peak": benchPeak()
    case "arithmetic": benchArithmetic()
    case "viterbi": benchViterbi()
    case "ctc": benchCTC(arguments.dropFirst(2))
    case "decode": try benchDecode(arguments.dropFirst(2))
    case "bf16": benchBF16()
    case "join": try benchJoin(arguments.dropFirst(2))
    case "split": try benchSplit(arguments.dropFirst(2))
    default: fail("unknown benchmark '\(arguments[1])'")
    }
} catch {
    fail("\(error)")
}
