import KaldiIO

/// Names for groups of phones (vowels, stops, nasals, …), read from a text file with one class
/// per line: `CLASS PHONE PHONE …`. Blank lines and lines starting with `#` are skipped. A phone
/// no line names stands for itself.
///
/// e.g. `vowel AA AE AH AO`, `stop P B T D K G`.
public struct PhoneClasses: Equatable, Sendable {
    /// Class name per phone.
    public var classOf: [String: String]

    public init(_ classOf: [String: String] = [:]) { self.classOf = classOf }

    /// The class of `phone`, or the phone itself when no class names it.
    public func name(of phone: String) -> String { classOf[phone] ?? phone }

    /// Reads a class file (as a Kaldi table: the class is a line's key, its phones the value; a
    /// class may take more than one line).
    /// - Throws: `KaldiIOError.badLine` for a line without phones or a phone named in two classes.
    public static func read(path: String) throws -> PhoneClasses {
        let table = try TableFile(path: path)
        var classOf = [String: String]()
        for line in (table.lines + table.duplicates).sorted(by: { $0.number < $1.number }) where !line.key.hasPrefix("#") {
            let phones = line.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !phones.isEmpty else {
                throw KaldiIOError.badLine(path: path, line: line.number, reason: "class '\(line.key)' has no phones (expected 'CLASS PHONE PHONE ...')")
            }
            for phone in phones {
                if let other = classOf[phone], other != line.key {
                    throw KaldiIOError.badLine(path: path, line: line.number, reason: "phone '\(phone)' is already in class '\(other)'")
                }
                classOf[phone] = line.key
            }
        }
        return PhoneClasses(classOf)
    }
}
