/// C-locale (byte-wise) ordering of strings, as Kaldi's `sort` with `LC_ALL=C`.
public func cLocaleLess(_ a: String, _ b: String) -> Bool {
    Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
}
