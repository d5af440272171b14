import FuzzSupport
import Transcription

// A pronunciation lexicon (CMU, Kaldi lexicon.txt / lexiconp.txt, MFA).
runFuzzer { data, count in
    let path = FuzzInput.file("lexicon.txt", FuzzInput.bytes(data, count))
    guard let lexicon = try? Lexicon(path: path) else { return 0 }
    for word in lexicon.pronunciations.keys.prefix(20) { _ = lexicon.lookup(word) }
    return 0
}
