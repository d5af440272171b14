// swift-tools-version:6.0
//
// Parrot: a speech-recognition pipeline toolkit.
// Dependencies point one way: parrot (CLI) → Decode, Report → Align → Acoustic → Corpus → Audio → KaldiIO.
// C libraries are imported at the bottom only, through the system-library targets C*.
import PackageDescription

let package = Package(
    name: "Parrot",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parrot", targets: ["parrot"]),
        .executable(name: "parrot-corpus", targets: ["parrot-corpus"]),
        .library(name: "Audio", targets: ["Audio"]),
        .library(name: "KaldiIO", targets: ["KaldiIO"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Acoustic", targets: ["Acoustic"]),
        .library(name: "Align", targets: ["Align"]),
        .library(name: "Decode", targets: ["Decode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian (libsndfile1-dev, libfftw3-dev, libopenblas-dev, libsoxr-dev).
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),

        // Parrot's own AVX-512 kernel for the per-time-step recurrent product (weights packed once).
        .target(name: "CRecurrentKernel"),

        // Kaldi file formats: matrices, archives, scp indexes, key-value tables. Pure Swift.
        .target(name: "KaldiIO"),
        // Sound files, resampling, framing, log-Mel filterbank, CMVN.
        .target(name: "Audio", dependencies: ["KaldiIO", "CSndFile", "CFFTW", "CSoxr"]),
        // Kaldi data directories: reading, validation, recordings (paths, pipes, segments), feature jobs.
        .target(name: "Corpus", dependencies: ["Audio", "KaldiIO"]),
        // BiLSTM acoustic model (issue 4).
        .target(name: "Acoustic", dependencies: ["Corpus", "KaldiIO", "COpenBLAS", "CRecurrentKernel"]),
        // Lexicon, Viterbi alignment, re-alignment training (issue 5).
        .target(name: "Align", dependencies: ["Acoustic", "Corpus", "KaldiIO"]),
        // Greedy and lexicon-constrained decoding, scoring (issue 6).
        .target(name: "Decode", dependencies: ["Align", "Acoustic", "KaldiIO"]),

        // Run reports: one HTML page with figures, training curves, spectrograms and tiers (issue 7).
        .target(name: "Report", dependencies: ["Align", "Acoustic", "KaldiIO"]),

        .executableTarget(
            name: "parrot",
            dependencies: [
                "Audio", "Corpus", "KaldiIO", "Acoustic", "Align", "Decode", "Report",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Helpers shared by the test targets: temporary directories, WAV bytes, processes, fixtures.
        .target(name: "ParrotTestSupport", dependencies: ["KaldiIO"], path: "Tests/ParrotTestSupport"),
        // The built-in corpus: English speech from eSpeak NG with reference phone times (issue 3).
        // Kept out of the core libraries; only the parrot-corpus tool links libespeak-ng.
        .target(name: "SyntheticCorpus", dependencies: ["Audio", "KaldiIO", "CEspeakNG"]),
        .executableTarget(
            name: "parrot-corpus",
            dependencies: ["SyntheticCorpus", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/ParrotCorpus"
        ),

        // Benchmarks, run on demand by the scripts in bench/ (not tests).
        .executableTarget(name: "parrot-bench", dependencies: ["Audio", "Corpus", "KaldiIO", "Acoustic", "Align", "Decode"], path: "Sources/ParrotBench"),

        .testTarget(name: "KaldiIOTests", dependencies: ["KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Audio", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "AcousticTests", dependencies: ["Acoustic", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "AlignTests", dependencies: ["Align", "Audio", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "DecodeTests", dependencies: ["Decode", "Acoustic", "Align", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Align", "Acoustic", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "SyntheticCorpusTests", dependencies: ["SyntheticCorpus", "Audio", "KaldiIO", "ParrotTestSupport", "parrot-corpus"]),
        // Runs the built binary; depending on the executable makes `swift test` build it first.
        .testTarget(name: "ParrotCLITests", dependencies: ["parrot", "parrot-corpus", "KaldiIO", "ParrotTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
