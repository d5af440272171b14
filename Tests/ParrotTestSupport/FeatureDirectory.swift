import Core
import Foundation
import KaldiIO

extension TestSupport {
    /// Writes a features directory as `parrot features` would (`feats.ark`, `feats.scp`, and
    /// `utt2spk` when speakers are given), from matrices made in the test.
    public static func writeFeatureDirectory(_ features: [String: Matrix], speakers: [String: String]? = nil, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let archive = try KaldiArchiveWriter(path: directory + "/feats.ark")
        for key in features.keys.sorted(by: cLocaleLess) { _ = try archive.write(key: key, .floatMatrix(features[key]!)) }
        try archive.commit()
        try ScriptFile.write(archive.entries, to: directory + "/feats.scp")
        if let speakers {
            try TableFile.write(speakers.keys.sorted(by: cLocaleLess).map { (key: $0, value: speakers[$0]!) }, to: directory + "/utt2spk")
        }
    }
}
