import Corpus
import Foundation
import FuzzSupport

// A Praat TextGrid, long or short text format, UTF-8 or UTF-16 (a corpus folder's transcripts).
runFuzzer { data, count in
    let bytes = FuzzInput.bytes(data, count)
    guard let grid = try? TextGridFile(data: Data(bytes), path: "fuzz.TextGrid") else { return 0 }
    for tier in grid.tiers { for interval in tier.intervals { _ = interval.text.count } }
    return 0
}
