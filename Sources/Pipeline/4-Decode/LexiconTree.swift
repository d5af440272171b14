import Transcription

/// The pronunciations of a vocabulary as a prefix tree of phones: words sharing their first
/// phones share nodes, so the search scores a common prefix once. Node 0 is the root (no phone);
/// a node lists the pronunciations that end on it.
public struct LexiconTree: Sendable {
    /// Decoded words, by index (upper-cased), their pronunciations (class indices) and the
    /// word-sequence model's index of each word.
    public let words: [String]
    public let pronunciations: [[Int]]
    /// Word of each pronunciation.
    public let pronunciationWord: [Int]
    let modelWord: [Int]
    /// Phone (output class) of each node; -1 for the root.
    let phone: [Int32]
    /// Children of node n: `children[childStart[n]..<childStart[n + 1]]`.
    let childStart: [Int32]
    let children: [Int32]
    /// Pronunciations ending at node n: `ends[endStart[n]..<endStart[n + 1]]`.
    let endStart: [Int32]
    let ends: [Int32]
    /// Nodes on the path of every pronunciation, root excluded.
    let pronunciationNodes: [[Int32]]
    /// Words left out, and why (phones the model lacks; words the grammar or LM never allows).
    public let skipped: [(word: String, reason: String)]

    public var nodeCount: Int { phone.count }

    /// Builds the tree of `lexicon` restricted to the words `model` allows.
    /// - Parameters:
    ///   - phoneSet: the acoustic model's classes; pronunciations with other phones are skipped.
    ///   - excluded: class names no pronunciation may use (silence).
    /// - Throws: `DecodeError.emptyVocabulary` when no word remains.
    public init(lexicon: Lexicon, phoneSet: [String], model: WordSequenceModel, excluded: Set<String> = [Lexicon.silence]) throws {
        let classOf = Dictionary(uniqueKeysWithValues: phoneSet.enumerated().map { ($1, $0) })
        var words = [String](), pronunciations = [[Int]](), pronunciationWord = [Int](), modelWord = [Int]()
        var skipped = [(String, String)]()
        for word in lexicon.pronunciations.keys.sorted() {
            guard let m = model.wordIndex(word) else {
                skipped.append((word, "not allowed by the grammar or language model"))
                continue
            }
            var usable = [[Int]]()
            for phones in lexicon.pronunciations[word]! {
                if let missing = phones.first(where: { classOf[$0] == nil || excluded.contains($0) }) {
                    skipped.append((word, "phone '\(missing)' is not one of the model's classes"))
                    continue
                }
                usable.append(phones.map { classOf[$0]! })
            }
            guard !usable.isEmpty else { continue }
            for p in usable {
                pronunciations.append(p)
                pronunciationWord.append(words.count)
            }
            words.append(word)
            modelWord.append(m)
        }
        guard !words.isEmpty else {
            throw DecodeError.emptyVocabulary(reason: skipped.isEmpty ? "the lexicon is empty"
                : "all \(skipped.count) lexicon words were left out (first: \(skipped[0].0): \(skipped[0].1))")
        }
        // Insert every pronunciation, children kept as (phone → node) maps, then flatten.
        var phone: [Int32] = [-1]
        var childMap: [[Int32: Int32]] = [[:]]
        var endLists: [[Int32]] = [[]]
        var paths = [[Int32]]()
        for (p, phones) in pronunciations.enumerated() {
            var node: Int32 = 0
            var path = [Int32]()
            defer { paths.append(path) }
            for ph in phones {
                defer { path.append(node) }
                if let next = childMap[Int(node)][Int32(ph)] {
                    node = next
                } else {
                    phone.append(Int32(ph))
                    childMap.append([:])
                    endLists.append([])
                    let next = Int32(phone.count - 1)
                    childMap[Int(node)][Int32(ph)] = next
                    node = next
                }
            }
            endLists[Int(node)].append(Int32(p))
        }
        var childStart: [Int32] = [0], children = [Int32]()
        var endStart: [Int32] = [0], ends = [Int32]()
        for n in phone.indices {
            children.append(contentsOf: childMap[n].values.sorted())
            childStart.append(Int32(children.count))
            ends.append(contentsOf: endLists[n])
            endStart.append(Int32(ends.count))
        }
        self.words = words
        self.pronunciations = pronunciations
        self.pronunciationWord = pronunciationWord
        self.modelWord = modelWord
        self.phone = phone
        self.childStart = childStart
        self.children = children
        self.endStart = endStart
        self.ends = ends
        self.skipped = skipped
        self.pronunciationNodes = paths
    }

    /// Per node, whether a word of `allowed` (model indices) passes through it.
    func nodesLeading(to allowed: Set<Int>) -> [Bool] {
        var mask = [Bool](repeating: false, count: nodeCount)
        for (p, path) in pronunciationNodes.enumerated() where allowed.contains(modelWord[pronunciationWord[p]]) {
            for node in path { mask[Int(node)] = true }
        }
        return mask
    }
}
