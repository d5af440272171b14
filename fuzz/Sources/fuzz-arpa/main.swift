import Decode
import FuzzSupport

// An ARPA back-off n-gram model; a model that loads is queried for a few sentences.
runFuzzer { data, count in
    let text = String(decoding: FuzzInput.bytes(data, count), as: UTF8.self)
    guard let model = try? ArpaLanguageModel(text: text) else { return 0 }
    _ = model.sentenceLogProbability(["A", "B"])
    _ = model.sentenceLogProbability(["<unk>", "A", "A", "A"])
    _ = model.sentenceLogProbability([])
    return 0
}
