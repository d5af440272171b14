import Foundation

/// Keys compared as bytes (C-locale order) and found by binary search: the lookups of the tables
/// held packed (`PackedTable`, `ScriptFile`).
enum ByteOrder {
    /// −1, 0 or 1 as `a` sorts before, with or after `b` in byte order.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let order = memcmp(pa, pb, common)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
    }

    /// The last of the positions `0..<count`, whose keys (`key(position)`) are in byte order,
    /// that holds `wanted`; nil when none does.
    static func lastPosition(of wanted: UnsafeBufferPointer<UInt8>, count: Int, key: (Int) -> UnsafeBufferPointer<UInt8>) -> Int? {
        // The first position whose key sorts after `wanted`; the one before it may hold it.
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if compare(key(middle), wanted) <= 0 { low = middle + 1 } else { high = middle }
        }
        guard low > 0, compare(key(low - 1), wanted) == 0 else { return nil }
        return low - 1
    }
}
