/// A key → text table held as one run of bytes, in C-locale (byte) order of the keys.
///
/// A `[String: String]` of a corpus table spends about a hundred bytes an entry on top of its
/// text (string objects, hash buckets); this spends eight, so a data directory's `text`,
/// `wav.scp` and `utt2spk` grow memory by little more than their file sizes. Lookups are binary
/// searches over the bytes.
public struct PackedTable: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// Each entry's key bytes, then its value bytes.
    private var bytes: [UInt8] = []
    /// Per entry: where its key ends and where its value ends (the next entry starts there).
    private var ends: [(key: UInt32, value: UInt32)] = []

    public init() {}

    /// The pairs, sorted by key; of repeated keys the first is kept.
    public init<S: Sequence>(_ pairs: S) where S.Element == (key: String, value: String) {
        var builder = Builder()
        for pair in pairs { builder.append(key: pair.key, value: pair.value) }
        self = builder.table()
    }

    /// Collects pairs in any order as bytes and sorts them once, at the end: a table being read
    /// costs its text twice and 12 bytes an entry, not a string object per key and value.
    public struct Builder {
        private var bytes: [UInt8] = []
        /// Per pair, in the order appended: where its key starts, where the key ends, where its value ends.
        private var spans: [(start: UInt32, key: UInt32, value: UInt32)] = []

        public init() {}

        public mutating func append(key: String, value: String) {
            let start = bytes.count
            bytes += key.utf8
            let keyEnd = bytes.count
            bytes += value.utf8
            precondition(bytes.count <= Int(UInt32.max), "a table of more than 4 GiB")
            spans.append((UInt32(start), UInt32(keyEnd), UInt32(bytes.count)))
        }

        /// The pairs appended, sorted by key; of repeated keys the first appended is kept.
        public func table() -> PackedTable {
            bytes.withUnsafeBufferPointer { all in
                func key(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                    UnsafeBufferPointer(rebasing: all[Int(spans[index].start)..<Int(spans[index].key)])
                }
                // A stable order of the keys' bytes, so the first of repeated keys comes first.
                let order = spans.indices.sorted { a, b in
                    let order = ByteOrder.compare(key(a), key(b))
                    return order != 0 ? order < 0 : a < b
                }
                var table = PackedTable()
                table.bytes.reserveCapacity(bytes.count)
                table.ends.reserveCapacity(spans.count)
                var previous: Int?
                for index in order {
                    if let previous, ByteOrder.compare(key(previous), key(index)) == 0 { continue }
                    previous = index
                    let span = spans[index]
                    let start = table.bytes.count
                    table.bytes += all[Int(span.start)..<Int(span.value)]
                    table.ends.append((UInt32(start + Int(span.key - span.start)), UInt32(table.bytes.count)))
                }
                return table
            }
        }
    }

    public init(dictionaryLiteral pairs: (String, String)...) {
        self.init(pairs.lazy.map { (key: $0.0, value: $0.1) })
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    /// The value of `key`, or nil.
    public subscript(key: String) -> String? {
        guard let index = index(of: key) else { return nil }
        return string(Int(ends[index].key), Int(ends[index].value))
    }

    public func contains(_ key: String) -> Bool { index(of: key) != nil }

    /// The keys, in C-locale order.
    public var keys: [String] { ends.indices.map(key(at:)) }

    /// The values, in the C-locale order of their keys.
    public var values: LazyMapSequence<PackedTable, String> { lazy.map(\.value) }

    /// The table without the entries whose keys are in `removed`.
    public func removing(_ removed: Set<String>) -> PackedTable {
        removed.isEmpty ? self : filter { !removed.contains($0.key) }
    }

    /// The entries whose pairs satisfy `keep`, as a table.
    public func filter(_ keep: ((key: String, value: String)) -> Bool) -> PackedTable {
        PackedTable(lazy.filter(keep))
    }

    public struct Iterator: IteratorProtocol {
        let table: PackedTable
        var index = 0

        public mutating func next() -> (key: String, value: String)? {
            guard index < table.ends.count else { return nil }
            defer { index += 1 }
            return (table.key(at: index), table.string(Int(table.ends[index].key), Int(table.ends[index].value)))
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }
    public var underestimatedCount: Int { count }

    private func start(of index: Int) -> Int { index == 0 ? 0 : Int(ends[index - 1].value) }

    private func key(at index: Int) -> String { string(start(of: index), Int(ends[index].key)) }

    private func string(_ from: Int, _ to: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self) }
    }

    private func index(of key: String) -> Int? {
        var key = key
        return key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                ByteOrder.lastPosition(of: wanted, count: ends.count) { UnsafeBufferPointer(rebasing: all[start(of: $0)..<Int(ends[$0].key)]) }
            }
        }
    }
}
