import Foundation
import ParrotTestSupport
import Testing

/// The defaults `parrot train --noise` and `parrot decode --drop-quiet-words`, as the command line states and checks them.
@Suite struct NoiseOptionTests {
    let parrot = TestSupport.parrotBinary

    @Test(arguments: ["20,5", "loud", "5", "5,20,30", "-20,5", "5,90"])
    func aNoiseRangeThatIsNoneIsRefusedByName(value: String) throws {
        let result = try TestSupport.run(parrot, ["train", "data", "lexicon.txt", "model", "--noise=\(value)"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--noise takes LOW,HIGH in dB"), "\(result.standardError)")
        #expect(result.standardError.contains("'\(value)'"))
    }

    @Test func theHelpGivesBothDefaults() throws {
        let train = try TestSupport.run(parrot, ["train", "--help"])
        #expect(train.standardOutput.contains("--noise <noise>"))
        #expect(train.standardOutput.contains("(default: 5,20)"))
        let decode = try TestSupport.run(parrot, ["decode", "--help"])
        #expect(decode.standardOutput.contains("Default: 20 for a framewise model in a word loop"))
    }
}
