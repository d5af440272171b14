import Corpus
import Foundation
import ParrotTestSupport
import Testing

@Suite struct PipeCommandTests {
    @Test func collectsStandardOutput() throws {
        #expect(try PipeCommand.output(of: "printf 'abc'; printf 'x' >&2", timeoutSeconds: 10) == Array("abc".utf8))
    }

    @Test func failingCommandReportsStatusAndStandardError() throws {
        let error = try #require(throws: CorpusError.self) {
            _ = try PipeCommand.output(of: "echo 'sox FAIL: no such file' >&2; exit 3", timeoutSeconds: 10)
        }
        #expect(error == .commandFailed(command: "echo 'sox FAIL: no such file' >&2; exit 3", status: 3, stderr: "sox FAIL: no such file"))
    }

    @Test func hangingCommandIsKilledWithItsChildrenAfterTheTimeout() throws {
        let started = Date()
        let error = try #require(throws: CorpusError.self) {
            _ = try PipeCommand.output(of: "sleep 30 | cat", timeoutSeconds: 0.5)
        }
        #expect(error == .commandTimedOut(command: "sleep 30 | cat", seconds: 0.5))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func commandThatClosesItsOutputButKeepsRunningStillTimesOut() throws {
        let error = try #require(throws: CorpusError.self) {
            _ = try PipeCommand.output(of: "exec >&- 2>&-; sleep 30", timeoutSeconds: 0.5)
        }
        #expect(error == .commandTimedOut(command: "exec >&- 2>&-; sleep 30", seconds: 0.5))
    }

    @Test func largeOutputIsNotTruncated() throws {
        let bytes = try PipeCommand.output(of: "head -c 3000000 /dev/zero", timeoutSeconds: 20)
        #expect(bytes.count == 3_000_000)
    }
}
