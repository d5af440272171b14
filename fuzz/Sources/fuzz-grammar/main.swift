import Decode
import FuzzSupport

// A decoding grammar: a sentence list or JSGF-like rules; one that loads is expanded.
runFuzzer { data, count in
    let text = String(decoding: FuzzInput.bytes(data, count), as: UTF8.self)
    guard let grammar = try? WordGrammar(text: text) else { return 0 }
    _ = grammar.sentences(maximumWords: 3)
    return 0
}
