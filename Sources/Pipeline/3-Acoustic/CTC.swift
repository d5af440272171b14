import Core
import Dispatch
import Foundation

/// Connectionist temporal classification (the lectures' "training without explicit alignment"):
/// the probability of a label sequence is the sum over every frame path that reads as it once
/// repeats are merged and blanks dropped.
///
/// For labels `l₁ … l_L` the extended sequence is `blank l₁ blank l₂ … l_L blank` (`S = 2L + 1`
/// states). With `y_t(k)` the log-posterior of class `k` at frame `t`:
///
///     α_0(0) = y_0(blank),  α_0(1) = y_0(l₁)
///     α_t(s) = log Σ { α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if state s is a label unlike state s−2 } + y_t(e_s)
///     β is the same recursion run from the last frame (ending in the last label or the last blank)
///     log p(l | x) = log Σ { α_{T−1}(S−1), α_{T−1}(S−2) }
///
/// The occupancy `γ_t(s) = α_t(s) + β_t(s) − y_t(e_s) − log p` gives the gradient of
/// `−log p(l | x)` with respect to the logits before the log-softmax: `softmax_t(k) − Σ_{s: e_s = k} exp γ_t(s)`.
///
/// A CTC model's blank is its last class, labelled `CTC.blankLabel`. Everything here works in log
/// space (no underflow on long utterances or peaky outputs; each frame's sums are taken relative to
/// the previous frame's largest value, and in log space where that would underflow, over the
/// states that can still reach the end); a label sequence that cannot fit in the frames (`L`
/// plus the blanks that must separate repeated labels, more than `T`) has probability zero, and
/// then no loss and no gradient (torch's `zero_infinity`).
public enum CTC {
    /// The blank class's label in a CTC model (its last class).
    public static let blankLabel = "<blk>"

    /// Frames needed to emit `labels`: one per label, and a blank between two equal labels.
    public static func minimumFrames<Labels: Sequence<Int32>>(_ labels: Labels) -> Int {
        var frames = 0
        var previous: Int32?
        for label in labels {
            frames += label == previous ? 2 : 1
            previous = label
        }
        return frames
    }

    /// `−log p(labels | x)` of one utterance.
    /// - Parameters:
    ///   - logPosteriors: `T × C` log-softmax outputs.
    ///   - labels: class numbers, none of them `blank`.
    ///   - blank: the blank class.
    /// - Returns: the loss, or nil when the labels cannot fit in `T` frames.
    public static func loss(_ logPosteriors: Matrix, labels: [Int32], blank: Int) -> Double? {
        logPosteriors.values.withUnsafeBufferPointer { values in
            lossAndGradient(values.baseAddress!, frames: logPosteriors.rows, rowStride: logPosteriors.columns, classes: logPosteriors.columns,
                            labels: labels, blank: blank, gradient: nil, scale: 1).loss
        }
    }

    /// `−log p(labels | x)` and its gradient with respect to the logits (`T × C`; zero when the labels cannot fit).
    public static func lossAndGradient(_ logPosteriors: Matrix, labels: [Int32], blank: Int) -> (loss: Double?, gradient: Matrix) {
        var gradient = Matrix(rows: logPosteriors.rows, columns: logPosteriors.columns)
        let loss = logPosteriors.values.withUnsafeBufferPointer { values in
            gradient.values.withUnsafeMutableBufferPointer { out in
                lossAndGradient(values.baseAddress!, frames: logPosteriors.rows, rowStride: logPosteriors.columns, classes: logPosteriors.columns,
                                labels: labels, blank: blank, gradient: out.baseAddress!, scale: 1).loss
            }
        }
        return (loss, gradient)
    }

    /// The CTC losses of a time-major batch and the gradient with respect to its logits, the
    /// utterances in parallel (as network training computes them).
    /// - Parameters:
    ///   - logPosteriors: `T·B × C` log-softmax outputs, frame `t` of utterance `b` in row `t·B + b`.
    ///   - lengths: frames of each of the `B` utterances (`≤ T`).
    ///   - labels: each utterance's label sequence.
    ///   - gradient: receives `scale ×` the gradient (`T·B × C`; zero on padding and for utterances whose labels cannot fit).
    /// - Returns: each utterance's loss (nil when its labels cannot fit) and agreeing frames (see `lossAndGradient`).
    public static func batchLossAndGradient(_ logPosteriors: [Float], lengths: [Int], labels: [[Int32]], classes: Int, blank: Int,
                                            gradient: inout [Float], scale: Float = 1) -> [(loss: Double?, agreeing: Int)] {
        let frames = lengths.max() ?? 0
        precondition(logPosteriors.count == frames * lengths.count * classes && gradient.count == logPosteriors.count && labels.count == lengths.count)
        return logPosteriors.withUnsafeBufferPointer { y in
            gradient.withUnsafeMutableBufferPointer { g in
                batchLossAndGradient(y.baseAddress!, lengths: lengths, labels: labels, classes: classes, blank: blank, gradient: g.baseAddress!, scale: scale)
            }
        }
    }

    /// `batchLossAndGradient` on the network workspace's buffers.
    static func batchLossAndGradient(_ logPosteriors: UnsafePointer<Float>, lengths: [Int], labels: [[Int32]], classes: Int, blank: Int,
                                     gradient: UnsafeMutablePointer<Float>, scale: Float) -> [(loss: Double?, agreeing: Int)] {
        let b = lengths.count, frames = lengths.max() ?? 0
        gradient.update(repeating: 0, count: frames * b * classes)
        var results = [(loss: Double?, agreeing: Int)](repeating: (nil, 0), count: b)
        results.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: b) { u in
                out[u] = lossAndGradient(logPosteriors + u * classes, frames: lengths[u], rowStride: b * classes, classes: classes,
                                         labels: labels[u], blank: blank, gradient: gradient + u * classes, scale: scale)
            }
        }
        return results
    }

    /// The forward–backward pass on rows `logPosteriors + t·rowStride` (`t < frames`, `classes`
    /// values each), so that one utterance of a time-major batch is read in place.
    /// - Parameters:
    ///   - gradient: if given, receives `scale ×` the gradient with respect to the logits, in the
    ///     same row layout (every row of the utterance is written; zeros when the labels cannot fit).
    /// - Returns: the loss (nil when the labels cannot fit), and the frames whose most probable
    ///   class is also the class most occupied there (a frame accuracy for the training log).
    static func lossAndGradient(_ logPosteriors: UnsafePointer<Float>, frames: Int, rowStride: Int, classes: Int, labels: [Int32], blank: Int,
                                gradient: UnsafeMutablePointer<Float>?, scale: Float) -> (loss: Double?, agreeing: Int) {
        let states = 2 * labels.count + 1
        func clearGradient() {
            guard let gradient else { return }
            for t in 0..<frames { (gradient + t * rowStride).update(repeating: 0, count: classes) }
        }
        guard frames > 0, minimumFrames(labels) <= frames else { clearGradient(); return (nil, 0) }
        let (extended, canSkip) = extendedSequence(labels, blank: blank)
        let y = { (t: Int, s: Int) -> Float in logPosteriors[t * rowStride + extended[s]] }
        // The states frame t can be in and still finish: [lo, hi).
        func band(_ t: Int) -> Range<Int> { max(0, states - 2 * (frames - t))..<min(states, 2 * t + 2) }
        var alpha = [Float](repeating: -.infinity, count: frames * states)
        var beta = alpha
        // Each frame's sums in the linear domain, relative to the previous frame's largest value:
        // one exp and one log per state instead of two log-additions. A state whose sum is tiny
        // there (its predecessors far below that value, where terms underflow) is summed in log
        // space instead: a peaky network puts states that matter hundreds of nats apart.
        var linear = [Float](repeating: 0, count: states + 2)
        for s in band(0) { alpha[s] = y(0, s) }
        for t in 1..<max(1, frames) {
            let previous = (t - 1) * states, current = t * states
            var top = -Float.infinity
            for s in band(t - 1) { top = max(top, alpha[previous + s]) }
            if top == -.infinity { top = 0 }   // nothing reachable: every sum is 0
            for s in 0..<states { linear[s] = Foundation.exp(alpha[previous + s] - top) }
            for s in band(t) {
                var sum = linear[s]
                if s >= 1 { sum += linear[s - 1] }
                if canSkip[s] { sum += linear[s - 2] }
                // Far below the frame's largest value the shifted terms underflow: add those exactly.
                let predecessors = sum >= Self.exactBelow ? top + Foundation.log(sum)
                    : logSum(alpha[previous + s], s >= 1 ? alpha[previous + s - 1] : -.infinity, canSkip[s] ? alpha[previous + s - 2] : -.infinity)
                alpha[current + s] = predecessors + y(t, s)
            }
        }
        let last = (frames - 1) * states
        for s in band(frames - 1) { beta[last + s] = y(frames - 1, s) }
        for t in stride(from: frames - 2, through: 0, by: -1) {
            let next = (t + 1) * states, current = t * states
            var top = -Float.infinity
            for s in band(t + 1) { top = max(top, beta[next + s]) }
            if top == -.infinity { top = 0 }
            for s in 0..<states { linear[s] = Foundation.exp(beta[next + s] - top) }
            linear[states] = 0
            linear[states + 1] = 0
            for s in band(t) {
                var sum = linear[s] + linear[s + 1]
                let skip = s + 2 < states && canSkip[s + 2]
                if skip { sum += linear[s + 2] }
                let successors = sum >= Self.exactBelow ? top + Foundation.log(sum)
                    : logSum(beta[next + s], s + 1 < states ? beta[next + s + 1] : -.infinity, skip ? beta[next + s + 2] : -.infinity)
                beta[current + s] = successors + y(t, s)
            }
        }
        let logLikelihood = states > 1 ? logAdd(alpha[last + states - 1], alpha[last + states - 2]) : alpha[last]
        guard logLikelihood.isFinite else { clearGradient(); return (nil, 0) }
        var agreeing = 0
        var occupancy = [Float](repeating: 0, count: classes)
        for t in 0..<frames {
            let row = logPosteriors + t * rowStride
            for k in 0..<classes { occupancy[k] = 0 }
            for s in 0..<states {
                let g = alpha[t * states + s] + beta[t * states + s] - row[extended[s]] - logLikelihood
                if g > -80 { occupancy[extended[s]] += Foundation.exp(g) }
            }
            var best = 0, mostOccupied = 0
            for k in 1..<classes {
                if row[k] > row[best] { best = k }
                if occupancy[k] > occupancy[mostOccupied] { mostOccupied = k }
            }
            if best == mostOccupied { agreeing += 1 }
            if let gradient {
                let out = gradient + t * rowStride
                for k in 0..<classes { out[k] = scale * (Foundation.exp(row[k]) - occupancy[k]) }
            }
        }
        return (-Double(logLikelihood), agreeing)
    }

    /// The most probable frame path that reads as `labels` (Viterbi over the extended sequence,
    /// as torchaudio's `forced_align`).
    /// - Parameters:
    ///   - logPosteriors: `T × C` log-posteriors.
    /// - Returns: per frame, the index of the label it emits (`0..<L`), or −1 for a blank; nil when
    ///   the labels cannot fit in the frames.
    public static func forcedAlignment(_ logPosteriors: Matrix, labels: [Int32], blank: Int) -> [Int]? {
        let frames = logPosteriors.rows, states = 2 * labels.count + 1
        guard frames > 0, minimumFrames(labels) <= frames else { return nil }
        let (extended, canSkip) = extendedSequence(labels, blank: blank)
        var score = [Float](repeating: -.infinity, count: states), next = score
        // How many states back each (frame, state) came from: 0, 1 or 2.
        var back = [UInt8](repeating: 0, count: frames * states)
        score[0] = logPosteriors[0, extended[0]]
        if states > 1 { score[1] = logPosteriors[0, extended[1]] }
        for t in 1..<max(1, frames) {
            for s in 0..<states {
                var best = score[s], step: UInt8 = 0
                if s >= 1, score[s - 1] > best { best = score[s - 1]; step = 1 }
                if canSkip[s], score[s - 2] > best { best = score[s - 2]; step = 2 }
                next[s] = best + logPosteriors[t, extended[s]]
                back[t * states + s] = step
            }
            swap(&score, &next)
        }
        var s = states - 1
        if states > 1, score[states - 2] > score[states - 1] { s = states - 2 }
        guard score[s].isFinite else { return nil }
        var path = [Int](repeating: -1, count: frames)
        for t in stride(from: frames - 1, through: 0, by: -1) {
            path[t] = s % 2 == 1 ? s / 2 : -1
            s -= Int(back[t * states + s])
        }
        return path
    }

    /// The lectures' greedy CTC decoding: the most probable class per frame, adjacent repeats
    /// merged, blanks dropped.
    /// - Returns: the class numbers read out, each with the frames `[start, end)` of its run.
    public static func greedy(_ logPosteriors: Matrix, blank: Int) -> [(label: Int, start: Int, end: Int)] {
        var out = [(label: Int, start: Int, end: Int)]()
        var previous = -1
        for t in 0..<logPosteriors.rows {
            var best = 0
            for k in 1..<logPosteriors.columns where logPosteriors[t, k] > logPosteriors[t, best] { best = k }
            if best == previous, best != blank { out[out.count - 1].end = t + 1 }
            else if best != blank { out.append((best, t, t + 1)) }
            previous = best
        }
        return out
    }

    /// The extended sequence's classes (`blank l₁ blank … l_L blank`), and for each state whether
    /// it may be entered from two states back: a label may skip the blank before it unless that
    /// blank separates two equal labels.
    static func extendedSequence(_ labels: [Int32], blank: Int) -> (classes: [Int], canSkip: [Bool]) {
        var classes = [Int](), canSkip = [Bool]()
        for label in labels {
            classes.append(blank)
            canSkip.append(false)
            canSkip.append(classes.count >= 2 && classes[classes.count - 2] != Int(label))
            classes.append(Int(label))
        }
        classes.append(blank)
        canSkip.append(false)
        return (classes, canSkip)
    }

    /// Linear-domain sums below this (relative to the frame's largest value) are redone in log space.
    static let exactBelow: Float = 1e-30

    /// `log(eᵃ + eᵇ + eᶜ)` without overflow or underflow; all −∞ gives −∞.
    @inline(__always) static func logSum(_ a: Float, _ b: Float, _ c: Float) -> Float {
        let high = max(a, max(b, c))
        guard high > -.infinity else { return -.infinity }
        return high + Foundation.log(Foundation.exp(a - high) + Foundation.exp(b - high) + Foundation.exp(c - high))
    }

    /// `log(eᵃ + eᵇ)` without overflow; −∞ stays −∞.
    @inline(__always) public static func logAdd(_ a: Float, _ b: Float) -> Float {
        let high = max(a, b), low = min(a, b)
        guard low > -.infinity else { return high }
        return high + log1pf(Foundation.exp(low - high))
    }
}
