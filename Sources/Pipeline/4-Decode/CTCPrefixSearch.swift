import Acoustic
import Core
import Foundation

/// Prefix beam search over a CTC model's log-posteriors (the lectures' decoding of a CTC model
/// that does not commit to one frame path): every hypothesis is a phone prefix with two
/// probabilities, that of the frame paths reading as it and ending in a blank, and that of those
/// ending in its last phone. A frame extends each prefix by a blank or a repeat of its last phone
/// (the same prefix), or by a new phone — a repeat of the last phone only after a blank. Prefixes
/// reached along several paths add their probabilities.
///
/// Prefixes follow the lexicon tree (`LexiconTree`: one-phone words for a phone n-gram). When a
/// phone completes a pronunciation, the word is scored by the word-sequence model (grammar,
/// n-gram or plain loop) and the hypothesis returns to the root; it may also continue into longer
/// words. A hypothesis's score is `acousticScale × log p(prefix) + lmWeight × log P(words) −
/// wordInsertionPenalty × words`; the `beamWidth` best survive each frame. The result ends at a word
/// boundary, with the word model's end-of-sentence probability.
public struct CTCPrefixSearch: Sendable {
    public let tree: LexiconTree
    public let model: WordSequenceModel
    /// The CTC blank class.
    public let blank: Int
    /// `lmWeight` and `wordInsertionPenalty` apply; the frame-level beam settings do not.
    public var options: SearchOptions
    /// Factor on the CTC log-probabilities. Default 1.
    public var acousticScale: Float = 1
    /// Hypotheses kept after each frame. Default 16.
    public var beamWidth = 16
    /// A phone is tried at a frame only when its log-posterior is within this of the frame's best. Default 12.
    public var phoneBeam: Float = 12

    public init(tree: LexiconTree, model: WordSequenceModel, blank: Int, options: SearchOptions = SearchOptions()) {
        self.tree = tree
        self.model = model
        self.blank = blank
        self.options = options
    }

    /// One hypothesis: its prefix (an entry of the event trie), its two acoustic log-probabilities,
    /// and where it stands in the lexicon tree and the word model.
    private struct Hypothesis {
        var prefix: Int32
        var blankEnding: Float = -.infinity
        var phoneEnding: Float = -.infinity
        /// `lmWeight × log P(words) − penalty × words` so far.
        var language: Float
        var lastPhone: Int32
        var node: Int32
        var state: Int
        var words: Int32

        var acoustic: Float { CTC.logAdd(blankEnding, phoneEnding) }
    }

    /// What extends a prefix: a phone (entering a tree node), or a word closed into a model state.
    private struct Event: Hashable {
        var parent: Int32
        var phone: Int32
        var pronunciation: Int32
        var state: Int
    }

    /// The prefixes met so far, each with its parent and what was added: a trie, so that a prefix
    /// reached twice is one entry and its hypotheses merge.
    private struct PrefixTrie {
        var parent: [Int32] = [-1]
        /// The pronunciation a word-closing entry closes (−1 for a phone), and the frame it closed at.
        var pronunciation: [Int32] = [-1]
        var frame: [Int32] = [0]
        var index = [Event: Int32]()

        mutating func child(_ event: Event, frame t: Int) -> Int32 {
            if let existing = index[event] { return existing }
            parent.append(event.parent)
            pronunciation.append(event.pronunciation)
            frame.append(Int32(t))
            index[event] = Int32(parent.count - 1)
            return Int32(parent.count - 1)
        }
    }

    /// The best word sequence for `logPosteriors` (`frames × classes`, the blank among them).
    /// - Throws: `DecodeError.noHypothesis` when no hypothesis ends where the word model allows.
    public func decode(_ logPosteriors: Matrix, utterance: String) throws -> SearchResult {
        var trie = PrefixTrie()
        var beam = [Hypothesis(prefix: 0, blankEnding: 0, language: 0, lastPhone: -1, node: 0, state: model.startState, words: 0)]
        var masks = [Int: [Bool]]()
        var activeSum = 0
        let classes = logPosteriors.columns
        for t in 0..<logPosteriors.rows {
            var slots = [Int32: Int]()
            var next = [Hypothesis]()
            func add(_ h: Hypothesis, blankEnding: Float = -.infinity, phoneEnding: Float = -.infinity) {
                if let i = slots[h.prefix] {
                    next[i].blankEnding = CTC.logAdd(next[i].blankEnding, blankEnding)
                    next[i].phoneEnding = CTC.logAdd(next[i].phoneEnding, phoneEnding)
                } else {
                    var entry = h
                    (entry.blankEnding, entry.phoneEnding) = (blankEnding, phoneEnding)
                    slots[h.prefix] = next.count
                    next.append(entry)
                }
            }
            let row = (0..<classes).map { logPosteriors[t, $0] }
            let best = row.max() ?? 0
            for h in beam {
                let total = h.acoustic
                add(h, blankEnding: total + row[blank])
                if h.lastPhone >= 0 { add(h, phoneEnding: h.phoneEnding + row[Int(h.lastPhone)]) }
                let allowed: [Bool]? = h.node == 0 ? model.allowedWords(after: h.state).map { set in
                    if let mask = masks[h.state] { return mask }
                    let mask = tree.nodesLeading(to: set)
                    masks[h.state] = mask
                    return mask
                } : nil
                let node = Int(h.node)
                for c in Int(tree.childStart[node])..<Int(tree.childStart[node + 1]) {
                    let child = tree.children[c]
                    let phone = tree.phone[Int(child)]
                    guard row[Int(phone)] >= best - phoneBeam, allowed?[Int(child)] ?? true else { continue }
                    // A repeat of the last phone is a new phone only after a blank.
                    let acoustic = (phone == h.lastPhone ? h.blankEnding : total) + row[Int(phone)]
                    guard acoustic > -.infinity else { continue }
                    let entered = trie.child(Event(parent: h.prefix, phone: phone, pronunciation: -1, state: 0), frame: t)
                    var extended = h
                    (extended.prefix, extended.lastPhone, extended.node) = (entered, phone, child)
                    if tree.childStart[Int(child)] < tree.childStart[Int(child) + 1] { add(extended, phoneEnding: acoustic) }
                    for e in Int(tree.endStart[Int(child)])..<Int(tree.endStart[Int(child) + 1]) {
                        let pronunciation = tree.ends[e]
                        let word = tree.modelWord[tree.pronunciationWord[Int(pronunciation)]]
                        model.forEachSuccessor(of: h.state, word: word) { state, logProbability in
                            var closed = extended
                            closed.prefix = trie.child(Event(parent: entered, phone: -1, pronunciation: pronunciation, state: state), frame: t + 1)
                            (closed.node, closed.state, closed.words) = (0, state, h.words + 1)
                            closed.language = h.language + options.lmWeight * logProbability - options.wordInsertionPenalty
                            add(closed, phoneEnding: acoustic)
                        }
                    }
                }
            }
            if next.count > beamWidth {
                next.sort { acousticScale * $0.acoustic + $0.language > acousticScale * $1.acoustic + $1.language }
                next.removeLast(next.count - beamWidth)
            }
            activeSum += next.count
            beam = next
        }
        // The best hypothesis at a word boundary where the sentence may end.
        var winner: (hypothesis: Hypothesis, score: Float)?
        for h in beam where h.node == 0 {
            guard let final = model.finalLogProbability(h.state) else { continue }
            let score = acousticScale * h.acoustic + h.language + options.lmWeight * final
            if score > winner?.score ?? -.infinity { winner = (h, score) }
        }
        guard let winner else {
            throw DecodeError.noHypothesis(utterance: utterance, reason: "no CTC prefix ends where the grammar or language model allows (try a wider --ctc-beam)")
        }
        var pronunciations = [Int](), ends = [Int]()
        var entry = winner.hypothesis.prefix
        while entry > 0 {
            if trie.pronunciation[Int(entry)] >= 0 {
                pronunciations.append(Int(trie.pronunciation[Int(entry)]))
                ends.append(Int(trie.frame[Int(entry)]))
            }
            entry = trie.parent[Int(entry)]
        }
        pronunciations.reverse()
        ends.reverse()
        return SearchResult(pronunciations: pronunciations, words: pronunciations.map { tree.words[tree.pronunciationWord[$0]] }, wordEnds: ends,
                            score: winner.score, meanActiveTokens: Double(activeSum) / Double(max(1, logPosteriors.rows)))
    }
}
