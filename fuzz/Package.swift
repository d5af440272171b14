// swift-tools-version:6.0
//
// libFuzzer targets for Parrot's parsers. Built and run by fuzz/run.sh, not by `swift build`
// in the repository root: every module is compiled with -sanitize=fuzzer,address. Each target's
// main hands its test function to libFuzzer's driver (LLVMFuzzerRunDriver).
import PackageDescription

let targets: [(name: String, dependencies: [String])] = [
    ("fuzz-archive", ["KaldiIO"]),     // Kaldi archives (binary and text matrices, vectors, compressed)
    ("fuzz-scp", ["KaldiIO"]),         // scp indexes and the archive offsets they point at
    ("fuzz-datadir", ["Corpus"]),      // data-directory tables: wav.scp, text, utt2spk, segments, spk2utt
    ("fuzz-lexicon", ["Transcription"]), // CMU / Kaldi / MFA lexicons
    ("fuzz-arpa", ["Decode"]),         // ARPA n-gram models
    ("fuzz-grammar", ["Decode"]),      // sentence lists and JSGF-like grammars
    ("fuzz-model", ["Acoustic"]),      // Parrot model files
    ("fuzz-audio", ["Audio"]),         // audio headers and samples through libsndfile and Parrot's loader
    ("fuzz-textgrid", ["Corpus"]),     // Praat TextGrids (long and short text formats, UTF-8 and UTF-16)
]

let package = Package(
    name: "ParrotFuzz",
    dependencies: [.package(name: "Parrot", path: "..")],
    targets: [.target(name: "CLibFuzzer"), .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"])] + targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.dependencies.map { .product(name: $0, package: "Parrot") }
        )
    },
    swiftLanguageModes: [.v5]
)
