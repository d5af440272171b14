import ArgumentParser
import Corpus
import Foundation
import KaldiIO

struct CombineFeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "combine-features",
        abstract: "Join features directories computed for the parts of a split data directory.",
        discussion: """
        For feature extraction spread over jobs or machines: split the data directory \
        (recipes/common/split_data.sh), run parrot features on each part (through a launcher), \
        then combine. OUT_DIR gets one feats.scp (the parts' archives stay where they are), CMVN \
        statistics summed per speaker (exact even when a speaker's utterances went to several \
        parts), the data tables (text, utt2spk, spk2utt, wav.scp, segments), the parts' failed.txt \
        and feats.json. Fails if the parts were made with different settings or share an utterance. \
        recipes/common/make_features.sh does all three steps.

        e.g.: parrot combine-features exp/feats/train exp/feats/train/parts/1 exp/feats/train/parts/2
        """
    )

    @Argument(help: "The combined features directory.") var outDir: String
    @Argument(help: "Features directories of the parts.") var parts: [String]

    func run() throws {
        try exitStatus(of: "combine-features") {
            try FeatureDirectoryMerger.merge(parts: parts, into: outDir)
            let count = try TableFile(path: (outDir as NSString).appendingPathComponent("feats.scp")).keys.count
            print("parrot combine-features: \(count.grouped) utterances from \(parts.count) parts in \(outDir)")
        }
    }
}
