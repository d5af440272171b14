import ArgumentParser
import Foundation
import KaldiIO

struct CopyFeatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-feats",
        abstract: "Copy a Kaldi archive or script file, to text or to a binary archive.",
        discussion: """
        INPUT is a .scp file (objects read at their offsets) or an archive (.ark, binary or text, \
        including compressed matrices). OUTPUT is '-' for Kaldi text form on standard output, or \
        an archive path: a binary archive is written there, with its index beside it (.scp).

        e.g.: parrot copy-feats exp/feats/train/feats.scp - | head
        """
    )

    @Argument(help: "Input .scp or .ark file.")
    var input: String

    @Argument(help: "'-' for text on standard output, or an output .ark path.")
    var output: String

    func run() throws {
        try exitStatus(of: "copy-feats") {
            let writer = output == "-" ? nil : try KaldiArchiveWriter(path: output)
            var count = 0
            func emit(_ key: String, _ object: KaldiObject) throws {
                count += 1
                if let writer { try writer.write(key: key, object) } else { print(KaldiText.format(key: key, object), terminator: "") }
            }
            if input.hasSuffix(".scp") {
                let scp = try ScriptFile(path: input)
                for entry in scp.entries { try emit(entry.key, try ScriptFile.read(at: entry.location, key: entry.key)) }
            } else {
                let archive = try KaldiArchiveReader(path: input)
                while let (key, object) = try archive.next() { try emit(key, object) }
            }
            if let writer {
                try writer.commit()
                let scpPath = output.hasSuffix(".ark") ? String(output.dropLast(4)) + ".scp" : output + ".scp"
                try ScriptFile.write(writer.entries, to: scpPath)
            }
            printError("parrot copy-feats: copied \(count.grouped) objects")
        }
    }
}
