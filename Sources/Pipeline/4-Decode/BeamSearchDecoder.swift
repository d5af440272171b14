import Core
import KaldiIO

/// Settings of the lexicon-constrained search.
public struct SearchOptions: Codable, Equatable, Sendable {
    /// Tokens scoring more than this below the frame's best are dropped. Default 16.
    public var beam: Float = 16
    /// At most this many tokens survive a frame. Default 7,000.
    public var maxActive = 7000
    /// Subtracted from the score for every word output: larger values give fewer, longer words.
    public var wordInsertionPenalty: Float = 0
    /// Weight of the word-sequence model's log-probabilities. Default 1.
    public var lmWeight: Float = 1
    /// Frames each phone lasts at least (the alignment topology). Default 3.
    public var minimumDuration = 3
    /// Allow silence before, between and after words. Default true.
    public var optionalSilence = true

    public init() {}
}

/// The best word sequence of an utterance.
public struct SearchResult: Equatable, Sendable {
    /// Pronunciation indices (into `LexiconTree.pronunciations`), in order.
    public var pronunciations: [Int]
    /// Words, in order.
    public var words: [String]
    /// Exclusive end frame of each word.
    public var wordEnds: [Int]
    /// Acoustic score + lmWeight × log P(words) − penalty × word count.
    public var score: Float
    /// Tokens alive after pruning, averaged over frames.
    public var meanActiveTokens: Double
}

/// Time-synchronous Viterbi beam search over a lexicon prefix tree in a word loop (the lecture's
/// "option 2": only sequences allowed by a dictionary), with optional silence between words and
/// the alignment topology (every phone a chain of `minimumDuration` states, the last looping).
///
/// A token is (word-model state, tree node, position in the node's chain). When a token leaves
/// a node where pronunciations end, each word is scored by the word-sequence model (grammar,
/// n-gram or plain loop) and the best result per model state re-enters the tree at the root.
/// Word ends are kept as back-pointer records; the search keeps no per-frame state history.
public struct BeamSearchDecoder: Sendable {
    public let tree: LexiconTree
    public let model: WordSequenceModel
    public let silence: Int
    public var options: SearchOptions

    public init(tree: LexiconTree, model: WordSequenceModel, silence: Int, options: SearchOptions = SearchOptions()) {
        self.tree = tree
        self.model = model
        self.silence = silence
        self.options = options
    }

    // Token keys: model state (32 bits) | node (24 bits) | chain position (8 bits).
    private static func key(state: Int, node: Int, position: Int) -> UInt64 {
        UInt64(state) << 32 | UInt64(node) << 8 | UInt64(position)
    }

    private struct Tokens {
        var keys = [UInt64]()
        var scores = [Float]()
        var traces = [Int32]()
        var slot = [UInt64: Int32]()

        mutating func add(_ key: UInt64, _ score: Float, _ trace: Int32) {
            if let i = slot[key] {
                if score > scores[Int(i)] { scores[Int(i)] = score; traces[Int(i)] = trace }
            } else {
                slot[key] = Int32(keys.count)
                keys.append(key)
                scores.append(score)
                traces.append(trace)
            }
        }

        mutating func removeAll() {
            keys.removeAll(keepingCapacity: true)
            scores.removeAll(keepingCapacity: true)
            traces.removeAll(keepingCapacity: true)
            slot.removeAll(keepingCapacity: true)
        }
    }

    /// Word-end back-pointers.
    private struct Trace {
        var pronunciation: Int32
        var end: Int32
        var previous: Int32
    }

    /// Decodes a table of log-scores (`frames × classes`). When pruning leaves no token able to
    /// end the sentence, the search is repeated with a four times wider beam and max-active,
    /// then without pruning.
    /// - Throws: `DecodeError.noHypothesis` when no allowed word sequence fits the frames.
    public func decode(_ scores: Matrix, utterance: String) throws -> SearchResult {
        do {
            return try search(scores, utterance: utterance, options: options)
        } catch DecodeError.noHypothesis {
            var wider = options
            wider.beam *= 4
            wider.maxActive *= 4
            do {
                return try search(scores, utterance: utterance, options: wider)
            } catch DecodeError.noHypothesis {
                // No pruning at all: exact, and only slow for a large vocabulary.
                wider.beam = .infinity
                wider.maxActive = .max
                return try search(scores, utterance: utterance, options: wider)
            }
        }
    }

    private func search(_ scores: Matrix, utterance: String, options: SearchOptions) throws -> SearchResult {
        let frames = scores.rows, classes = scores.columns
        let duration = max(1, min(options.minimumDuration, 255))
        let silenceNode = tree.nodeCount
        guard silenceNode < 1 << 24 else { throw DecodeError.emptyVocabulary(reason: "the lexicon tree has more than 16 million nodes") }
        let rootChildren = Array(tree.children[Int(tree.childStart[0])..<Int(tree.childStart[1])])
        var current = Tokens(), next = Tokens()
        var traces = [Trace]()
        // Best way into the root at this frame, per model state: (score, trace, pronunciation or -1).
        var entries = [Int: (Float, Int32, Int32)]()
        var activeTotal = 0
        let lmWeight = options.lmWeight, penalty = options.wordInsertionPenalty
        // Grammars: per state, the tree nodes on the way to a word it allows (nil: any word).
        var allowedNodes = [Int: [Bool]?]()
        func allowed(_ state: Int) -> [Bool]? {
            if let cached = allowedNodes[state] { return cached }
            let mask = model.allowedWords(after: state).map { tree.nodesLeading(to: $0) }
            allowedNodes[state] = mask
            return mask
        }

        func enter(_ state: Int, _ score: Float, _ trace: Int32, _ pronunciation: Int32) {
            if let e = entries[state], e.0 >= score { return }
            entries[state] = (score, trace, pronunciation)
        }
        // A token that has finished its unit: a silence, or a tree node where words may end.
        func leave(_ state: Int, _ node: Int, _ score: Float, _ trace: Int32) {
            if node == silenceNode {
                enter(state, score, trace, -1)
                return
            }
            for e in tree.ends[Int(tree.endStart[node])..<Int(tree.endStart[node + 1])] {
                let word = tree.pronunciationWord[Int(e)]
                model.forEachSuccessor(of: state, word: tree.modelWord[word]) { nextState, logProbability in
                    enter(nextState, score + lmWeight * logProbability - penalty, trace, e)
                }
            }
        }

        try scores.values.withUnsafeBufferPointer { table in
            for t in 0..<frames {
                let row = table.baseAddress! + t * classes
                next.removeAll()
                entries.removeAll(keepingCapacity: true)
                if t == 0 { entries[model.startState] = (0, -1, -1) }
                for i in current.keys.indices {
                    let key = current.keys[i]
                    let state = Int(key >> 32), node = Int((key >> 8) & 0xFF_FFFF), position = Int(key & 0xFF)
                    let score = current.scores[i], trace = current.traces[i]
                    let phone = node == silenceNode ? silence : Int(tree.phone[node])
                    if position < duration - 1 {
                        next.add(key + 1, score + row[phone], trace)
                        continue
                    }
                    next.add(key, score + row[phone], trace)
                    if node != silenceNode {
                        let mask = allowed(state)
                        for c in tree.children[Int(tree.childStart[node])..<Int(tree.childStart[node + 1])] where mask?[Int(c)] ?? true {
                            next.add(BeamSearchDecoder.key(state: state, node: Int(c), position: 0), score + row[Int(tree.phone[Int(c)])], trace)
                        }
                    }
                    leave(state, node, score, trace)
                }
                for (state, entry) in entries {
                    var trace = entry.1
                    if entry.2 >= 0 {
                        traces.append(Trace(pronunciation: entry.2, end: Int32(t), previous: trace))
                        trace = Int32(traces.count - 1)
                    }
                    let mask = allowed(state)
                    for c in rootChildren where mask?[Int(c)] ?? true {
                        next.add(BeamSearchDecoder.key(state: state, node: Int(c), position: 0), entry.0 + row[Int(tree.phone[Int(c)])], trace)
                    }
                    if options.optionalSilence {
                        next.add(BeamSearchDecoder.key(state: state, node: silenceNode, position: 0), entry.0 + row[silence], trace)
                    }
                }
                prune(&next, options: options)
                activeTotal += next.keys.count
                swap(&current, &next)
            }
        }
        // Sentence ends: the tokens that finish a silence or a word after the last frame, in a
        // model state that may end the sentence.
        entries.removeAll(keepingCapacity: true)
        for i in current.keys.indices where Int(current.keys[i] & 0xFF) == duration - 1 {
            let key = current.keys[i]
            leave(Int(key >> 32), Int((key >> 8) & 0xFF_FFFF), current.scores[i], current.traces[i])
        }
        var best: (Float, Int32)? = nil
        for (state, entry) in entries {
            guard let end = model.finalLogProbability(state), best == nil || entry.0 + lmWeight * end > best!.0 else { continue }
            var trace = entry.1
            if entry.2 >= 0 {
                traces.append(Trace(pronunciation: entry.2, end: Int32(frames), previous: trace))
                trace = Int32(traces.count - 1)
            }
            best = (entry.0 + lmWeight * end, trace)
        }
        guard let (score, last) = best else {
            throw DecodeError.noHypothesis(utterance: utterance, reason: frames == 0 ? "no frames"
                : "no allowed word sequence fits its \(frames) frames")
        }
        var pronunciations = [Int](), ends = [Int]()
        var r = last
        while r >= 0 {
            pronunciations.append(Int(traces[Int(r)].pronunciation))
            ends.append(Int(traces[Int(r)].end))
            r = traces[Int(r)].previous
        }
        pronunciations.reverse()
        ends.reverse()
        return SearchResult(pronunciations: pronunciations, words: pronunciations.map { tree.words[tree.pronunciationWord[$0]] },
                            wordEnds: ends, score: score, meanActiveTokens: frames > 0 ? Double(activeTotal) / Double(frames) : 0)
    }

    /// Beam and max-active pruning, in place.
    private func prune(_ tokens: inout Tokens, options: SearchOptions) {
        guard !tokens.scores.isEmpty else { return }
        var threshold = tokens.scores.max()! - options.beam
        if tokens.scores.count > options.maxActive {
            threshold = max(threshold, BeamSearchDecoder.kthLargest(tokens.scores, options.maxActive))
        }
        var kept = 0
        for i in tokens.keys.indices where tokens.scores[i] >= threshold {
            tokens.keys[kept] = tokens.keys[i]
            tokens.scores[kept] = tokens.scores[i]
            tokens.traces[kept] = tokens.traces[i]
            kept += 1
        }
        tokens.keys.removeLast(tokens.keys.count - kept)
        tokens.scores.removeLast(tokens.scores.count - kept)
        tokens.traces.removeLast(tokens.traces.count - kept)
    }

    /// The k-th largest value (1-based) by quickselect.
    static func kthLargest(_ values: [Float], _ k: Int) -> Float {
        var a = values
        var low = 0, high = a.count - 1
        let target = k - 1
        while low < high {
            let pivot = a[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { high = j } else if target >= i { low = i } else { return a[target] }
        }
        return a[target]
    }
}
