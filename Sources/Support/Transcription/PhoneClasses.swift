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

    /// Reads a class file.
    /// - Throws: `KaldiIOError.badLine` for a line without phones or a phone named in two classes.
    public static func read(path: String) throws -> PhoneClasses {
        var classOf = [String: String]()
        let reader = try ByteReader(path: path, bufferSize: 1 << 16)
        var number = 0
        while let line = try reader.readLine() {
            number += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let name = fields.first, !name.hasPrefix("#") else { continue }
            guard fields.count >= 2 else {
                throw KaldiIOError.badLine(path: path, line: number, reason: "class '\(name)' has no phones (expected 'CLASS PHONE PHONE ...')")
            }
            for phone in fields.dropFirst() {
                if let other = classOf[phone], other != name {
                    throw KaldiIOError.badLine(path: path, line: number, reason: "phone '\(phone)' is already in class '\(other)'")
                }
                classOf[phone] = name
            }
        }
        return PhoneClasses(classOf)
    }
}
