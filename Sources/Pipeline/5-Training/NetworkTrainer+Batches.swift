import Acoustic
import Audio
import Core
import Corpus

/// How the trainer turns a features directory and targets into batches: the feature index and
/// input statistics, the validation split, length-sorted batches, chunking, the epoch's order.
extension NetworkTrainer {
    /// The feature index handed in before `run`, if every indexed utterance still has targets of
    /// its length (with CTC: label sequences that fit in its frames).
    func reusableIndex() -> FeatureIndex? {
        guard let reusable = featureIndex, reusable.items.allSatisfy({ fits(targets[$0.key], frames: $0.frames) }) else { return nil }
        return reusable
    }

    /// Reads every utterance once: those with features and matching targets, and the input
    /// normalisation statistics. An utterance whose features cannot be read (a damaged archive)
    /// is left out, named in a message; the caller's own pass over the corpus records why.
    func indexFeatures() throws -> FeatureIndex {
        var items = [Item]()
        var dimension = 0
        var sums = [Double](), squares = [Double](), count = 0.0
        var missing = 0
        for key in source.keys {
            guard let target = targets[key] else { missing += 1; continue }
            let m: Matrix
            do { m = try source.normalizedFeatures(key) } catch {
                onEvent?(.message("skipping \(key): \(error)"))
                continue
            }
            if dimension == 0 {
                dimension = m.columns
                sums = [Double](repeating: 0, count: dimension)
                squares = sums
            }
            guard m.columns == dimension else { throw AcousticModelError.dimensionMismatch(utterance: key, expected: dimension, found: m.columns) }
            guard fits(target, frames: m.rows) else {
                let reason = options.isCTC ? AcousticModelError.labelsTooLong(utterance: key, frames: m.rows, needed: CTC.minimumFrames(target))
                    : AcousticModelError.targetsMismatch(utterance: key, frames: m.rows, targets: target.count)
                onEvent?(.message("skipping \(key): \(reason)"))
                continue
            }
            // A CTC label is never the blank (the last class).
            let labelClasses = options.isCTC ? classLabels.count - 1 : classLabels.count
            if let bad = target.first(where: { $0 < 0 || Int($0) >= labelClasses }) {
                throw AcousticModelError.badTarget(utterance: key, value: bad, classes: labelClasses)
            }
            guard m.rows > 0 else { continue }
            for t in 0..<m.rows { for j in 0..<dimension { let x = Double(m[t, j]); sums[j] += x; squares[j] += x * x } }
            count += Double(m.rows)
            items.append(Item(key: key, frames: m.rows))
        }
        if missing > 0 { onEvent?(.message("\(missing) utterances have features but no targets (not used)")) }
        guard !items.isEmpty else { throw AcousticModelError.noTrainingData(reason: "no utterance has both features and targets") }
        let mean = sums.map { Float($0 / count) }
        let scale = zip(sums, squares).map { s, q -> Float in
            let variance = max(q / count - (s / count) * (s / count), 1e-8)
            return Float(1 / variance.squareRoot())
        }
        return FeatureIndex(items: items, dimension: dimension, mean: mean, scale: scale)
    }

    /// Whether `target` serves an utterance of `frames` frames: one class per frame, or with CTC
    /// a label sequence that fits.
    func fits(_ target: FrameLabels?, frames: Int) -> Bool {
        guard let target else { return false }
        return options.isCTC ? CTC.minimumFrames(target) <= frames : target.count == frames
    }

    /// Held-out utterances: the same share of every speaker's utterances, so every speaker stays
    /// in training (holding out whole speakers took one of four FSDD speakers out of training, and
    /// which one the seed chose moved held-out-speaker accuracy by 8 points). Speakers with too few
    /// utterances to give one (every utterance is its own speaker without `utt2spk`) are pooled
    /// and give the same share together. Augmented copies (spF-UTT, nsSNR-UTT) of a held-out
    /// utterance are neither trained nor validated on. At least one utterance is held out and
    /// at least one trained on.
    func split(_ items: [Item]) -> (train: [Item], valid: [Item]) {
        guard options.validationFraction > 0, items.count > 1 else { return (items, []) }
        var random = SeededGenerator(seed: options.seed &+ 0x5B17)
        func shuffled(_ keys: [String]) -> [String] {
            var keys = keys.sorted(by: cLocaleLess)
            for i in stride(from: keys.count - 1, to: 0, by: -1) { keys.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            return keys
        }
        func share(_ count: Int) -> Int { Int((Double(count) * options.validationFraction).rounded()) }
        var bySpeaker = [String: [String]]()
        for item in items where !FeatureJobOptions.isCopy(item.key) {
            bySpeaker[FeatureJobOptions.unperturbedKey(source.speaker(of: item.key)).key, default: []].append(item.key)
        }
        var held = [String](), pooled = [String]()
        for (_, keys) in bySpeaker.sorted(by: { cLocaleLess($0.key, $1.key) }) {
            if share(keys.count) == 0 { pooled += keys; continue }
            held += shuffled(keys).prefix(share(keys.count))
        }
        held += shuffled(pooled).prefix(share(pooled.count))
        let originals = bySpeaker.values.reduce(0) { $0 + $1.count }
        if held.isEmpty, let first = shuffled(bySpeaker.values.flatMap { $0 }).first { held.append(first) }
        if held.count >= originals { held.removeLast() }
        let heldSet = Set(held)
        return (items.filter { !heldSet.contains(FeatureJobOptions.unperturbedKey($0.key).key) }, items.filter { heldSet.contains($0.key) })
    }

    /// Utterances sorted by length and cut into batches of `batchSize`, so padding is small.
    func batches(_ items: [Item]) -> [[Item]] {
        let sorted = items.sorted { ($0.frames, $0.key) < ($1.frames, $1.key) }
        return stride(from: 0, to: sorted.count, by: options.batchSize).map { Array(sorted[$0..<min($0 + options.batchSize, sorted.count)]) }
    }

    /// Training items cut into pieces of `chunkFrames` (a remainder under half a piece joins the last one).
    func chunked(_ items: [Item]) -> [Item] {
        guard let size = options.chunkFrames, size > 0, !options.isCTC else { return items }
        var out = [Item]()
        for item in items {
            var start = 0
            while start < item.frames {
                var end = min(item.frames, start + size)
                if item.frames - end < size / 2 { end = item.frames }
                out.append(Item(key: item.key, frames: end - start, start: start))
                start = end
            }
        }
        return out
    }

    /// The epoch's batch order: a seeded shuffle, the same in every process.
    func epochOrder(_ epoch: Int, batches count: Int) -> [Int] {
        var order = Array(0..<count)
        var shuffler = SeededGenerator(seed: options.seed &+ 0x5EED_0000 &+ UInt64(epoch))
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(shuffler.next() % UInt64(i + 1))) }
        return order
    }

    /// A batch of `items`; with a `masking` generator (training), inputs are perturbed (vocal
    /// tract length, tempo) and masked as the options ask.
    func load(_ items: [Item], model: AcousticModel, masking: inout SeededGenerator?) throws -> Batch {
        var inputs = [[Float]]()
        var batchTargets = [[Int32]]()
        let dimension = model.configuration.inputDimension
        var cache: (key: String, values: [Float], targets: [Int32])?
        for item in items {
            let original = targets[item.key]!
            // (CTC targets are label sequences: an item is always a whole utterance.)
            let whole = item.start == 0 && (options.isCTC || item.frames == original.count)
            if cache?.key != item.key {
                var features: Matrix
                if masking != nil, let noisy = try noisy(item.key, model: model, random: &masking!) {
                    features = noisy
                } else {
                    features = try source.normalizedFeatures(item.key)
                }
                var target = Array(original)
                if masking != nil { perturb(&features, &target, whole: whole, model: model, random: &masking!) }
                cache = (item.key, try model.input(features), target)
            }
            let (_, values, target) = cache!
            let frames = options.isCTC ? values.count / dimension : whole ? target.count : item.frames
            var input = whole ? values : Array(values[(item.start * dimension)..<((item.start + item.frames) * dimension)])
            if masking != nil {
                InputMasking(frequencyWidth: options.frequencyMaskWidth ?? 0, timeWidth: options.timeMaskWidth ?? 0, splice: options.splice)
                    .apply(to: &input, frames: frames, random: &masking!)
            }
            inputs.append(input)
            batchTargets.append(options.isCTC || whole ? target : Array(target[item.start..<(item.start + item.frames)]))
        }
        guard options.isCTC else { return Batch(keys: items.map(\.key), inputs: inputs, targets: batchTargets, dimension: dimension) }
        var batch = Batch(keys: items.map(\.key), inputs: inputs, targets: nil, dimension: dimension)
        batch.labels = batchTargets
        return batch
    }

    /// With noise augmentation on, and on an even draw: the normalised features of `key` with white
    /// noise at an SNR drawn from `noiseSNR`, made on its raw log-Mel features and normalised with
    /// the speaker's (clean) CMVN statistics. Taking off again what the noise added to the means, as
    /// a noisy speaker's own statistics would, did worse on development voices (79.9% of boundaries
    /// within 20 ms against 81.5%). Nil otherwise, or when the features are not Parrot's filterbank's.
    private func noisy(_ key: String, model: AcousticModel, random: inout SeededGenerator) throws -> Matrix? {
        guard let range = options.noiseSNR, let fbank = model.features?.fbank, random.next() & 1 == 0,
              let noise = FeatureNoise.shared(for: fbank) else { return nil }
        let raw = try source.rawFeatures(key)
        guard raw.rows > 0, raw.columns == noise.dimension else { return nil }
        let snr = range.lowerBound + (range.upperBound - range.lowerBound) * random.unit()
        return source.normalized(noise.apply(to: raw, snr: snr, offset: Int(random.next() % UInt64(noise.frameCount))), of: key)
    }

    /// A training utterance as another speaker might have said it: its spectrum stretched
    /// (`frequencyWarp`, when the features are Parrot's log-Mel filterbank), its bins' spread
    /// scaled (`spreadPerturbation`, see `SpreadPerturbation`) and, for a whole utterance, its
    /// tempo changed (`tempoPerturbation`: frames resampled, each target taken from the nearest
    /// original frame). Warp and tempo factors are drawn uniformly from 1 ± the option.
    private func perturb(_ features: inout Matrix, _ target: inout [Int32], whole: Bool, model: AcousticModel, random: inout SeededGenerator) {
        func factor(_ width: Double) -> Double { 1 - width + 2 * width * random.unit() }
        if let warp = options.frequencyWarp, warp > 0, let fbank = model.features?.fbank, fbank.melBinCount == features.columns {
            features = FrequencyWarp(factor: factor(warp), fbank: fbank).apply(to: features)
        }
        if let spread = options.spreadPerturbation, spread > 0 {
            features = SpreadPerturbation(width: spread, random: &random).apply(to: features)
        }
        if let tempo = options.tempoPerturbation, tempo > 0, whole {
            if options.isCTC {
                // A label sequence does not change with the tempo; a rate that leaves too few frames for it is not used.
                let (faster, _) = TempoPerturbation(rate: factor(tempo)).apply(to: features, targets: [Int32](repeating: 0, count: features.rows))
                if CTC.minimumFrames(target) <= faster.rows { features = faster }
            } else {
                (features, target) = TempoPerturbation(rate: factor(tempo)).apply(to: features, targets: target)
            }
        }
    }
}
