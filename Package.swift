// swift-tools-version:6.0
//
// Parrot: a speech-recognition pipeline toolkit.
//
// The folders show the pipeline: Sources/Pipeline/1-Audio → 2-Corpus → 3-Acoustic → 4-Align |
// 4-Decode (siblings) → 5-Training; Sources/Support holds what the stages share (Core values,
// Kaldi formats, transcripts and output writers) and what sits beside them (the report, the
// built-in corpus); Sources/Tools the executables; Sources/C the system-library shims.
// Dependencies point one way: parrot (CLI) → Training → Align | Decode → Acoustic, Corpus (side by side) → Audio → KaldiIO → Core.
// C libraries are imported at the bottom only, through the targets in Sources/C.
import PackageDescription

let package = Package(
    name: "Parrot",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parrot", targets: ["parrot"]),
        .executable(name: "parrot-corpus", targets: ["parrot-corpus"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Audio", targets: ["Audio"]),
        .library(name: "KaldiIO", targets: ["KaldiIO"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Acoustic", targets: ["Acoustic"]),
        .library(name: "Transcription", targets: ["Transcription"]),
        .library(name: "Align", targets: ["Align"]),
        .library(name: "Decode", targets: ["Decode"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian (libsndfile1-dev, libfftw3-dev, libopenblas-dev, libsoxr-dev, libespeak-ng-dev,
        // flite1-dev, which has no pkg-config file),
        // and Parrot's own AVX-512 kernel for the per-time-step recurrent product (weights packed once).
        .systemLibrary(name: "CSndFile", path: "Sources/C/CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", path: "Sources/C/CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/C/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/C/CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CEspeakNG", path: "Sources/C/CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        .systemLibrary(name: "CFlite", path: "Sources/C/CFlite", providers: [.apt(["flite1-dev"])]),
        .target(name: "CRecurrentKernel", path: "Sources/C/CRecurrentKernel", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .systemLibrary(name: "CMalloc", path: "Sources/C/CMalloc"),

        // What every stage shares: Matrix, seeded randomness, atomic files, the worker engine.
        .target(name: "Core", dependencies: ["CMalloc"], path: "Sources/Support/Core"),
        // Kaldi file formats: archives, scp indexes, key-value tables. Pure Swift.
        .target(name: "KaldiIO", dependencies: ["Core"], path: "Sources/Support/KaldiIO"),

        // 1. Sound files, resampling, framing, log-Mel filterbank, CMVN statistics, feature settings.
        .target(name: "Audio", dependencies: ["Core", "KaldiIO", "CSndFile", "CFFTW", "CSoxr"], path: "Sources/Pipeline/1-Audio"),
        // 2. Kaldi data directories: reading, validation, recordings (paths, pipes, segments),
        //    feature jobs, and stored features read back with CMVN (FeatureSource).
        .target(name: "Corpus", dependencies: ["Audio", "Core", "KaldiIO"], path: "Sources/Pipeline/2-Corpus"),
        // 3. The BiLSTM acoustic model: feature matrices in, log-posterior matrices out; model files.
        .target(name: "Acoustic", dependencies: ["Audio", "Core", "KaldiIO", "COpenBLAS", "CRecurrentKernel"], path: "Sources/Pipeline/3-Acoustic"),
        // Shared by Align and Decode: lexicon, transcripts compiled to phone graphs, Viterbi,
        // aligned segments, edit alignment, and the output writers (TextGrid, CTM, JSON, CSV).
        .target(name: "Transcription", dependencies: ["Audio", "Core", "KaldiIO"], path: "Sources/Support/Transcription"),
        // 4. Forced alignment: flat start, alignment jobs, the boundary refiner.
        .target(name: "Align", dependencies: ["Transcription", "Acoustic", "Corpus", "Audio", "Core", "KaldiIO"], path: "Sources/Pipeline/4-Align"),
        // 4. Decoding: greedy merging, lexicon-constrained beam search, grammars, n-grams, scoring.
        .target(name: "Decode", dependencies: ["Transcription", "Acoustic", "Corpus", "Core", "KaldiIO"], path: "Sources/Pipeline/4-Decode"),
        // 5. Training: the network trainer, flat start and re-alignment rounds, the refiner's
        //    trainer, checkpoints, targets and the job-launcher seam.
        .target(name: "Training", dependencies: ["Align", "Transcription", "Acoustic", "Corpus", "Audio", "Core", "KaldiIO"], path: "Sources/Pipeline/5-Training"),

        // Run reports: one HTML page with figures, training curves, spectrograms and tiers.
        .target(name: "Report", dependencies: ["Training", "Transcription", "Acoustic", "Core", "KaldiIO"], path: "Sources/Support/Report"),
        // The built-in corpus: English speech from eSpeak NG (and flite's test voices) with reference phone times.
        // Kept out of the core libraries; only the parrot-corpus tool links libespeak-ng and libflite.
        .target(name: "SyntheticCorpus", dependencies: ["Audio", "Core", "KaldiIO", "CEspeakNG", "CFlite"], path: "Sources/Support/SyntheticCorpus"),

        .executableTarget(
            name: "parrot",
            dependencies: [
                "Core", "KaldiIO", "Audio", "Corpus", "Acoustic", "Transcription", "Align", "Decode", "Training", "Report", "SyntheticCorpus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/parrot"
        ),
        .executableTarget(
            name: "parrot-corpus",
            dependencies: ["SyntheticCorpus", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/parrot-corpus"
        ),
        // Benchmarks, run on demand by the scripts in bench/ (not tests).
        .executableTarget(name: "parrot-bench", dependencies: ["Core", "Audio", "Corpus", "KaldiIO", "Acoustic", "Transcription", "Align", "Decode", "CRecurrentKernel", "COpenBLAS"],
                          path: "Sources/Tools/parrot-bench"),

        // Helpers shared by the test targets: temporary directories, WAV bytes, processes, fixtures.
        .target(name: "ParrotTestSupport", dependencies: ["Core", "KaldiIO"], path: "Tests/ParrotTestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "ParrotTestSupport"]),
        .testTarget(name: "KaldiIOTests", dependencies: ["KaldiIO", "Core", "ParrotTestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Audio", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "AcousticTests", dependencies: ["Acoustic", "Core", "KaldiIO", "ParrotTestSupport", "CRecurrentKernel"]),
        .testTarget(name: "TranscriptionTests", dependencies: ["Transcription", "Audio", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "AlignTests", dependencies: ["Align", "Training", "Transcription", "Acoustic", "Corpus", "Audio", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "DecodeTests", dependencies: ["Decode", "Transcription", "Acoustic", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Align", "Transcription", "Acoustic", "Corpus", "Audio", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Training", "Corpus", "Transcription", "Acoustic", "Core", "KaldiIO", "ParrotTestSupport"]),
        .testTarget(name: "SyntheticCorpusTests", dependencies: ["SyntheticCorpus", "Audio", "Core", "KaldiIO", "ParrotTestSupport", "parrot-corpus"]),
        // Runs the built binary; depending on the executable makes `swift test` build it first.
        .testTarget(name: "ParrotCLITests", dependencies: ["parrot", "parrot-corpus", "Core", "Corpus", "KaldiIO", "ParrotTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)

// The libraries (every target under Sources/Pipeline and Sources/Support) are optimised in debug
// builds too: the tests train, align and decode with the real pipeline (the parrot binary
// included), and `swift test` ran 352 s unoptimised against 40 s optimised on 2 cores, for 72 s
// more of building (stop 50). fuzz/run.sh undoes it for short runs with -Xswiftc -Onone.
for target in package.targets where target.type == .regular
    && ["Sources/Pipeline/", "Sources/Support/"].contains(where: { target.path?.hasPrefix($0) == true }) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-O"], .when(configuration: .debug))]
}
