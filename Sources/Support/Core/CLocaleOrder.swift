/// C-locale (byte-wise) ordering of strings, as Kaldi's `sort` with `LC_ALL=C`.
public func cLocaleLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
