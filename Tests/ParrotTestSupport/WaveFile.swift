import Foundation

/// Builds WAV files byte by byte, so tests control every header field (including wrong ones).
public enum WaveFile {
    /// Sample encodings `bytes(…)` can write.
    public enum Encoding {
        case pcm8, pcm16, pcm24, pcm32, float32
        var bitsPerSample: Int {
            switch self {
            case .pcm8: return 8
            case .pcm16: return 16
            case .pcm24: return 24
            case .pcm32, .float32: return 32
            }
        }
        var formatTag: UInt16 { self == .float32 ? 3 : 1 }
    }

    /// A RIFF/WAVE file holding `samples` (interleaved, in [-1, 1)).
    /// - Parameter declaredDataBytes: the data chunk size to claim (default: the true size).
    /// - Parameter extensible: write a WAVE_FORMAT_EXTENSIBLE header (format tag 0xFFFE, sub-format GUID).
    public static func bytes(samples: [Float], channels: Int = 1, sampleRate: Int, encoding: Encoding = .pcm16,
                             declaredDataBytes: Int? = nil, extensible: Bool = false) -> [UInt8] {
        var data = [UInt8]()
        for s in samples {
            switch encoding {
            case .pcm8: data.append(UInt8(clamping: Int((s * 128).rounded()) + 128))
            case .pcm16: append(Int16(clamping: Int((s * 32768).rounded())), to: &data)
            case .pcm24:
                let v = Int32(clamping: Int((s * 8_388_608).rounded()))
                let u = UInt32(bitPattern: max(-8_388_608, min(8_388_607, v)))
                data += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)]
            case .pcm32: append(Int32(clamping: Int64((Double(s) * 2_147_483_648).rounded())), to: &data)
            case .float32: append(s.bitPattern, to: &data)
            }
        }
        let blockAlign = channels * encoding.bitsPerSample / 8
        var out = [UInt8]()
        out += Array("RIFF".utf8)
        append(UInt32((extensible ? 60 : 36) + (declaredDataBytes ?? data.count)), to: &out)
        out += Array("WAVEfmt ".utf8)
        append(UInt32(extensible ? 40 : 16), to: &out)
        append(extensible ? 0xFFFE : encoding.formatTag, to: &out)
        append(UInt16(channels), to: &out)
        append(UInt32(sampleRate), to: &out)
        append(UInt32(sampleRate * blockAlign), to: &out)
        append(UInt16(blockAlign), to: &out)
        append(UInt16(encoding.bitsPerSample), to: &out)
        if extensible {
            append(UInt16(22), to: &out)                       // extension size
            append(UInt16(encoding.bitsPerSample), to: &out)   // valid bits
            append(UInt32(channels == 1 ? 0x4 : 0x3), to: &out) // speaker mask
            append(UInt32(encoding.formatTag), to: &out)       // sub-format GUID: tag-0000-0010-8000-00AA00389B71
            out += [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        out += Array("data".utf8)
        append(UInt32(declaredDataBytes ?? data.count), to: &out)
        return out + data
    }

    /// Writes `bytes(…)` to `path`.
    public static func write(to path: String, samples: [Float], channels: Int = 1, sampleRate: Int,
                             encoding: Encoding = .pcm16, declaredDataBytes: Int? = nil, extensible: Bool = false) throws {
        try Data(bytes(samples: samples, channels: channels, sampleRate: sampleRate, encoding: encoding,
                       declaredDataBytes: declaredDataBytes, extensible: extensible)).write(to: URL(fileURLWithPath: path))
    }

    /// A sine tone: `seconds` at `sampleRate`, `frequency` Hz, peak `amplitude` (in [-1, 1] scale).
    public static func tone(frequency: Double, seconds: Double, sampleRate: Int, amplitude: Double = 0.5) -> [Float] {
        (0..<Int(seconds * Double(sampleRate))).map { Float(amplitude * sin(2 * .pi * frequency * Double($0) / Double(sampleRate))) }
    }

    /// The samples (in [-1, 1) scale) and rate of a mono 16-bit PCM WAV file such as the corpora's.
    public static func readPCM16(_ path: String) throws -> (samples: [Float], sampleRate: Int) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24 }
        var offset = 12, rate = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self), size = u32(offset + 4)
            if id == "fmt " { rate = u32(offset + 12) }
            if id == "data" {
                let end = min(bytes.count, offset + 8 + size)
                let samples = stride(from: offset + 8, to: end - 1, by: 2).map { Float(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)) / 32768 }
                return (samples, rate)
            }
            offset += 8 + size + size % 2
        }
        throw TestFailure("\(path): no data chunk")
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
