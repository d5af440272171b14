/// What can go wrong reading decoding inputs or decoding an utterance. Each case names the file
/// (and line) or the utterance.
public enum DecodeError: Error, Equatable, CustomStringConvertible, Sendable {
    case badLanguageModel(path: String, line: Int, reason: String)
    case badGrammar(path: String, line: Int, reason: String)
    case emptyVocabulary(reason: String)
    case noHypothesis(utterance: String, reason: String)
    case badReference(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .badLanguageModel(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        case let .badGrammar(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        case let .emptyVocabulary(reason): return "no word can be decoded: \(reason)"
        case let .noHypothesis(utterance, reason): return "utterance \(utterance): \(reason)"
        case let .badReference(path, line, reason): return "\(path):\(line): \(reason)"
        }
    }
}

/// What restricts and scores the word sequences the search may output: a word loop, a grammar
/// or an n-gram model. States are small integers; the search keeps one copy of the lexicon tree
/// per active state.
public protocol WordSequenceModel: Sendable {
    /// State before the first word.
    var startState: Int { get }
    /// The model's index of `word` (upper-cased lexicon spelling), nil if the model never
    /// allows it (the word is then left out of the search).
    func wordIndex(_ word: String) -> Int?
    /// Calls `body(nextState, logProbability)` for every way `word` may follow `state`.
    func forEachSuccessor(of state: Int, word: Int, _ body: (Int, Float) -> Void)
    /// Log-probability of ending the sentence in `state`; nil if it may not end there.
    func finalLogProbability(_ state: Int) -> Float?
    /// The words (model indices) that may follow `state`, when that is a small set worth
    /// enforcing as soon as a word starts; nil when any word may follow (n-grams back off).
    func allowedWords(after state: Int) -> Set<Int>?
}

extension WordSequenceModel {
    public func allowedWords(after state: Int) -> Set<Int>? { nil }
}

/// Any sequence of the lexicon's words, none preferred: the plain word loop.
public struct WordLoop: WordSequenceModel {
    public init() {}
    public var startState: Int { 0 }
    public func wordIndex(_ word: String) -> Int? { 0 }
    public func forEachSuccessor(of state: Int, word: Int, _ body: (Int, Float) -> Void) { body(0, 0) }
    public func finalLogProbability(_ state: Int) -> Float? { 0 }
}
