#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A one-line progress display on standard error, shown only when standard error is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private var lastUpdate = Date.distantPast
    private let start = Date()

    init(_ label: String) {
        self.label = label
        enabled = isatty(2) != 0
    }

    /// Shows `done` of `total`; throttled to ten updates a second.
    func update(_ done: Int, _ total: Int, note: String = "") {
        guard enabled else { return }
        let now = Date()
        guard done == total || now.timeIntervalSince(lastUpdate) > 0.1 else { return }
        lastUpdate = now
        let percent = total > 0 ? 100 * done / total : 100
        let elapsed = now.timeIntervalSince(start)
        let remaining = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        FileHandle.standardError.write(Data("\r\(label)\(note.isEmpty ? "" : " " + note): \(done.grouped) of \(total.grouped) (\(percent)%), \(Int(elapsed)) s elapsed, ~\(Int(remaining)) s left\u{1B}[K".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

extension Int {
    /// The number with thousands separators: 2,500.
    var grouped: String {
        let digits = String(abs(self))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return self < 0 ? "-" + out : out
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
