import Core
import Foundation
import KaldiIO
import ParrotTestSupport
import Testing

/// Interoperability with a real reader and writer: Python's `kaldiio` (installed by ./setup.sh).
@Suite struct KaldiioInteropTests {
    @Test func kaldiioReadsParrotArchivesWithIdenticalValues() throws {
        let dir = try TestSupport.temporaryDirectory()
        let writer = try KaldiArchiveWriter(path: dir + "/p.ark")
        let m = Matrix(rows: 4, columns: 3, values: (0..<12).map { Float($0) * 0.37 - 1.1 })
        try writer.write(key: "mat", .floatMatrix(m))
        try writer.write(key: "dbl", .doubleMatrix(DoubleMatrix(rows: 2, columns: 2, values: [0.1, 0.2, 1e-300, 4])))
        try writer.write(key: "vec", .floatVector([3.25, -0.5]))
        try writer.write(key: "ali", .intVector([0, 7, 7, 41]))
        try writer.commit()
        try ScriptFile.write(writer.entries, to: dir + "/p.scp")
        let output = try TestSupport.python("""
        import json, kaldiio
        out = {}
        for k, v in kaldiio.load_scp('\(dir)/p.scp').items():
            out[k] = [str(v.dtype), list(v.shape), [float(x) for x in v.flatten()]]
        print(json.dumps(out))
        """)
        let decoded = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: [Any]]
        #expect(decoded["mat"]?[0] as? String == "float32")
        #expect(decoded["mat"]?[1] as? [Int] == [4, 3])
        #expect((decoded["mat"]?[2] as? [Double])?.map { Float($0) } == m.values)
        #expect(decoded["dbl"]?[0] as? String == "float64")
        #expect(decoded["dbl"]?[2] as? [Double] == [0.1, 0.2, 1e-300, 4])
        #expect((decoded["vec"]?[2] as? [Double]) == [3.25, -0.5])
        #expect(decoded["ali"]?[0] as? String == "int32")
        #expect(decoded["ali"]?[2] as? [Double] == [0, 7, 7, 41])
    }

    @Test(arguments: [
        ("none", 0.0), ("CM", 0.0), ("CM2", 0.0), ("CM3", 0.0), ("text", 1e-6),
    ])
    func parrotReadsArchivesKaldiioWrote(format: String, tolerance: Double) throws {
        let dir = try TestSupport.temporaryDirectory()
        let method = ["CM": "2", "CM2": "3", "CM3": "5"][format] ?? "None"
        let output = try TestSupport.python("""
        import json, numpy as np, kaldiio
        rng = np.random.default_rng(7)
        feats = {'utt%d' % i: (rng.standard_normal((20 + i, 5)) * 3 + 10).astype(np.float32) for i in range(3)}
        kaldiio.save_ark('\(dir)/k.ark', feats, scp='\(dir)/k.scp', text=\(format == "text" ? "True" : "False"),
                         compression_method=\(method))
        # What kaldiio itself decodes from the file it wrote (lossy for compressed formats).
        print(json.dumps({k: [float(x) for x in v.flatten()] for k, v in kaldiio.load_scp('\(dir)/k.scp').items()}))
        """)
        let expected = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: [Double]]
        if format.hasPrefix("CM") {
            let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/k.ark"))
            #expect(raw.range(of: Data("\(format) ".utf8)) != nil, "kaldiio wrote a \(format) matrix")
        }
        // Sequentially through the archive, and randomly through the scp.
        let sequential = try KaldiArchiveReader.readAll(path: dir + "/k.ark")
        #expect(sequential.map(\.key) == ["utt0", "utt1", "utt2"])
        let scp = try ScriptFile(path: dir + "/k.scp")
        for (key, object) in sequential {
            let m = try #require(object.asFloatMatrix)
            let values = try #require(expected[key])
            #expect(m.rows * m.columns == values.count)
            let worst = zip(m.values, values).map { abs(Double($0.0) - $0.1) / max(1, abs($0.1)) }.max() ?? 0
            #expect(worst <= tolerance + 1e-6, "\(format) \(key): max relative difference \(worst)")
            #expect(try scp.read(key) == object)
        }
    }
}
