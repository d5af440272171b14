import Foundation

/// A finite-state grammar over words: the search may only output sentences it accepts.
///
/// Two file forms:
///
/// - a **sentence list**: one allowed word sequence per line (`#` starts a comment);
/// - a **JSGF-like** grammar, recognised by a `#JSGF` header or a line containing `=`:
///
///       #JSGF V1.0;
///       grammar digits;
///       public <digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
///
///   Rules are `[public] <name> = expansion ;` where an expansion is a sequence of words,
///   `<rule>` references, `( … )` groups, `[ … ]` optional parts, `|` alternatives and the
///   postfix repeats `*` (zero or more) and `+` (one or more). The first `public` rule (or, with
///   none, the first rule) is the sentence. Recursion is not supported (use `*` / `+`).
///
/// Compiled to a non-deterministic automaton with ε-arcs; search states are automaton states,
/// and `forEachSuccessor` follows ε-arcs before and after the word.
public struct WordGrammar: WordSequenceModel {
    /// Words of the grammar, by index (upper-cased).
    public private(set) var words: [String] = []
    private var wordIDs: [String: Int] = [:]
    /// Word arcs per state: (word, target).
    private var arcs: [[(Int, Int)]] = [[]]
    private var epsilons: [[Int]] = [[]]
    private var finalStates = Set<Int>()
    /// ε-closure of every state (including itself).
    private var closures: [[Int]] = []
    public let startState = 0

    /// Reads a grammar file (sentence list or JSGF-like, see the type's documentation).
    /// - Throws: `DecodeError.badGrammar` naming the file and line.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DecodeError.badGrammar(path: path, line: 0, reason: "cannot read the file")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), path: path)
    }

    public init(text: String, path: String = "<grammar>") throws {
        let lines = text.components(separatedBy: "\n").map { $0.replacingOccurrences(of: "\r", with: "") }
        let isJSGF = lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#JSGF") || $0.contains("=") }
        if isJSGF {
            try compileJSGF(text, path: path)
        } else {
            var any = false
            for (n, line) in lines.enumerated() {
                let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).uppercased() }
                guard !tokens.isEmpty else { continue }
                any = true
                var state = startState
                for token in tokens {
                    if token.contains("<") || token.contains("|") {
                        throw DecodeError.badGrammar(path: path, line: n + 1, reason: "'\(token)' looks like JSGF syntax; start the file with #JSGF V1.0;")
                    }
                    let next = newState()
                    arcs[state].append((word(token), next))
                    state = next
                }
                finalStates.insert(state)
            }
            guard any else { throw DecodeError.badGrammar(path: path, line: 0, reason: "no sentences") }
        }
        closures = (0..<arcs.count).map { closure(of: $0) }
    }

    private mutating func newState() -> Int {
        arcs.append([])
        epsilons.append([])
        return arcs.count - 1
    }

    private mutating func word(_ w: String) -> Int {
        if let i = wordIDs[w] { return i }
        words.append(w)
        wordIDs[w] = words.count - 1
        return words.count - 1
    }

    private func closure(of state: Int) -> [Int] {
        var seen: Set<Int> = [state]
        var stack = [state]
        while let s = stack.popLast() {
            for t in epsilons[s] where !seen.contains(t) {
                seen.insert(t)
                stack.append(t)
            }
        }
        return seen.sorted()
    }

    public func wordIndex(_ word: String) -> Int? { wordIDs[word.uppercased()] }

    public func forEachSuccessor(of state: Int, word: Int, _ body: (Int, Float) -> Void) {
        var reached = Set<Int>()
        for s in closures[state] {
            for (w, target) in arcs[s] where w == word && !reached.contains(target) {
                reached.insert(target)
                body(target, 0)
            }
        }
    }

    public func allowedWords(after state: Int) -> Set<Int>? {
        Set(closures[state].flatMap { arcs[$0].map(\.0) })
    }

    public func finalLogProbability(_ state: Int) -> Float? {
        closures[state].contains { finalStates.contains($0) } ? 0 : nil
    }

    /// Every sentence of at most `maximumWords` words the grammar accepts (for tests and `--help`).
    public func sentences(maximumWords: Int) -> Set<[String]> {
        var out = Set<[String]>()
        func walk(_ state: Int, _ prefix: [String]) {
            if finalLogProbability(state) != nil { out.insert(prefix) }
            guard prefix.count < maximumWords else { return }
            for w in words.indices {
                forEachSuccessor(of: state, word: w) { next, _ in walk(next, prefix + [words[w]]) }
            }
        }
        walk(startState, [])
        return out
    }

    // MARK: JSGF-like grammars

    private enum Token: Equatable { case word(String), rule(String), symbol(Character) }

    private mutating func compileJSGF(_ text: String, path: String) throws {
        // Rules: name → (expansion tokens, line); comments and header lines dropped.
        var rules = [String: ([Token], Int)]()
        var order = [String]()
        var publicRules = [String]()
        var statement = "", statementLine = 1
        for (n, rawLine) in text.components(separatedBy: "\n").enumerated() {
            var line = rawLine.replacingOccurrences(of: "\r", with: "")
            if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            if statement.isEmpty { statementLine = n + 1 }
            statement += " " + trimmed
            while let semicolon = statement.firstIndex(of: ";") {
                let body = statement[..<semicolon].trimmingCharacters(in: .whitespaces)
                statement = String(statement[statement.index(after: semicolon)...])
                if body.hasPrefix("grammar ") || body.hasPrefix("import ") || body.isEmpty { continue }
                guard let equals = body.firstIndex(of: "=") else {
                    throw DecodeError.badGrammar(path: path, line: statementLine, reason: "expected '<rule> = expansion;', found '\(body)'")
                }
                var head = body[..<equals].trimmingCharacters(in: .whitespaces)
                let isPublic = head.hasPrefix("public ")
                if isPublic { head = head.dropFirst(7).trimmingCharacters(in: .whitespaces) }
                guard head.hasPrefix("<"), head.hasSuffix(">"), head.count > 2 else {
                    throw DecodeError.badGrammar(path: path, line: statementLine, reason: "rule name '\(head)' must be written <name>")
                }
                let name = String(head.dropFirst().dropLast())
                let tokens = try tokenize(String(body[body.index(after: equals)...]), path: path, line: statementLine)
                rules[name] = (tokens, statementLine)
                order.append(name)
                if isPublic { publicRules.append(name) }
                statementLine = n + 1
            }
        }
        guard !statement.trimmingCharacters(in: .whitespaces).isEmpty || !order.isEmpty else {
            throw DecodeError.badGrammar(path: path, line: 0, reason: "no rules")
        }
        if !statement.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DecodeError.badGrammar(path: path, line: statementLine, reason: "rule not ended with ';'")
        }
        guard let root = publicRules.first ?? order.first else { throw DecodeError.badGrammar(path: path, line: 0, reason: "no rules") }
        let end = newState()
        var expanding = [String]()
        try expandRule(root, from: startState, to: end, rules: rules, expanding: &expanding, path: path)
        finalStates.insert(end)
    }

    private func tokenize(_ text: String, path: String, line: Int) throws -> [Token] {
        var tokens = [Token]()
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == " " || c == "\t" { i = text.index(after: i); continue }
            if "()[]|*+".contains(c) { tokens.append(.symbol(c)); i = text.index(after: i); continue }
            if c == "<" {
                guard let close = text[i...].firstIndex(of: ">") else {
                    throw DecodeError.badGrammar(path: path, line: line, reason: "'<' without '>'")
                }
                tokens.append(.rule(String(text[text.index(after: i)..<close])))
                i = text.index(after: close)
                continue
            }
            if c == "/" {   // JSGF weight /w/: ignored
                guard let close = text[text.index(after: i)...].firstIndex(of: "/") else {
                    throw DecodeError.badGrammar(path: path, line: line, reason: "weight '/' not closed")
                }
                i = text.index(after: close)
                continue
            }
            var j = i
            while j < text.endIndex, !" \t()[]|*+<".contains(text[j]) { j = text.index(after: j) }
            tokens.append(.word(String(text[i..<j]).uppercased()))
            i = j
        }
        return tokens
    }

    private mutating func expandRule(_ name: String, from: Int, to: Int, rules: [String: ([Token], Int)], expanding: inout [String], path: String) throws {
        guard let (tokens, line) = rules[name] else {
            throw DecodeError.badGrammar(path: path, line: 0, reason: "rule <\(name)> is used but not defined")
        }
        guard !expanding.contains(name) else {
            throw DecodeError.badGrammar(path: path, line: line, reason: "rule <\(name)> is recursive; use * or + instead")
        }
        expanding.append(name)
        var position = 0
        try expandAlternatives(tokens, &position, from: from, to: to, rules: rules, expanding: &expanding, path: path, line: line)
        guard position == tokens.count else {
            throw DecodeError.badGrammar(path: path, line: line, reason: "unbalanced brackets in rule <\(name)>")
        }
        expanding.removeLast()
    }

    /// alternatives := sequence ('|' sequence)*
    private mutating func expandAlternatives(_ tokens: [Token], _ position: inout Int, from: Int, to: Int, rules: [String: ([Token], Int)],
                                             expanding: inout [String], path: String, line: Int) throws {
        while true {
            try expandSequence(tokens, &position, from: from, to: to, rules: rules, expanding: &expanding, path: path, line: line)
            if position < tokens.count, tokens[position] == .symbol("|") { position += 1; continue }
            return
        }
    }

    /// sequence := (item ['*' | '+'])*
    private mutating func expandSequence(_ tokens: [Token], _ position: inout Int, from: Int, to: Int, rules: [String: ([Token], Int)],
                                         expanding: inout [String], path: String, line: Int) throws {
        var state = from
        var empty = true
        while position < tokens.count {
            let token = tokens[position]
            if token == .symbol("|") || token == .symbol(")") || token == .symbol("]") { break }
            empty = false
            // Each item is built between its own two states so a repeat can loop around it.
            let itemStart = newState(), itemEnd = newState()
            epsilons[state].append(itemStart)
            position += 1
            switch token {
            case let .word(w): arcs[itemStart].append((word(w), itemEnd))
            case let .rule(name): try expandRule(name, from: itemStart, to: itemEnd, rules: rules, expanding: &expanding, path: path)
            case .symbol("("), .symbol("["):
                let close: Character = token == .symbol("(") ? ")" : "]"
                try expandAlternatives(tokens, &position, from: itemStart, to: itemEnd, rules: rules, expanding: &expanding, path: path, line: line)
                guard position < tokens.count, tokens[position] == .symbol(close) else {
                    throw DecodeError.badGrammar(path: path, line: line, reason: "missing '\(close)'")
                }
                position += 1
                if close == "]" { epsilons[itemStart].append(itemEnd) }
            case let .symbol(c):
                throw DecodeError.badGrammar(path: path, line: line, reason: "unexpected '\(c)'")
            }
            if position < tokens.count, tokens[position] == .symbol("*") || tokens[position] == .symbol("+") {
                if tokens[position] == .symbol("*") { epsilons[itemStart].append(itemEnd) }
                epsilons[itemEnd].append(itemStart)
                position += 1
            }
            state = itemEnd
        }
        if empty {
            throw DecodeError.badGrammar(path: path, line: line, reason: "empty alternative")
        }
        epsilons[state].append(to)
    }
}
