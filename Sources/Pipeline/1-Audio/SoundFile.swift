import CSndFile
#if canImport(Glibc)
import Glibc
#endif

/// Decodes sound files with libsndfile: WAV (PCM 8/16/24/32-bit, float, A-law, µ-law,
/// WAVE_FORMAT_EXTENSIBLE), FLAC, Ogg/Vorbis, AIFF and the rest libsndfile reads.
///
/// Samples come out in 16-bit integer scale (libsndfile's normalised ±1.0 times 32768), so
/// features do not depend on the file's bit depth. Writes 16-bit WAV (for generated corpora).
/// This is the only file that touches libsndfile.
public enum SoundFile {
    /// Reads the file at `path`.
    /// - Parameter path: a file path.
    /// - Throws: `AudioError` naming the path: missing, empty, unreadable, truncated, or holding NaN/∞ samples.
    public static func read(path: String) throws -> DecodedAudio {
        let (handle, info) = try open(path: path)
        defer { sf_close(handle) }
        return try decode(handle, info: info, path: path)
    }

    /// Opens `path` for reading after the checks every reader makes (exists, not a directory, not empty).
    static func open(path: String) throws -> (OpaquePointer, SF_INFO) {
        var st = stat()
        if stat(path, &st) != 0 {
            let reason = String(cString: strerror(errno))
            if errno == ENOENT { throw AudioError.fileNotFound(path: path) }
            throw AudioError.unreadableFile(path: path, reason: reason)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw AudioError.unreadableFile(path: path, reason: "is a directory") }
        if st.st_size == 0 { throw AudioError.emptyFile(path: path) }
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioError.unreadableFile(path: path, reason: String(cString: sf_strerror(nil)))
        }
        do { try checkHeader(info, path: path) } catch {
            sf_close(handle)
            throw error
        }
        return (handle, info)
    }

    /// Sample rates Parrot accepts: a header outside them is damaged (or not speech), and
    /// resampling from, say, 1 Hz would take minutes for a few bytes of input.
    public static let plausibleSampleRates = 1_000...1_000_000

    private static func checkHeader(_ info: SF_INFO, path: String) throws {
        guard info.channels > 0, info.samplerate > 0 else {
            throw AudioError.unreadableFile(path: path, reason: "header has \(info.channels) channels at \(info.samplerate) Hz")
        }
        guard plausibleSampleRates.contains(Int(info.samplerate)) else {
            throw AudioError.unreadableFile(path: path, reason: "header gives a sample rate of \(info.samplerate) Hz, outside 1,000–1,000,000 Hz")
        }
    }

    /// Decodes an in-memory file, e.g. the output of a piped `wav.scp` command.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - description: what to call it in error messages.
    public static func decode(bytes: [UInt8], description: String) throws -> DecodedAudio {
        if bytes.isEmpty { throw AudioError.emptyFile(path: description) }
        let stream = MemoryStream(bytes: bytes)
        var callbacks = SF_VIRTUAL_IO(
            get_filelen: { user in MemoryStream.from(user).length },
            seek: { offset, whence, user in MemoryStream.from(user).seek(offset, whence) },
            read: { pointer, count, user in MemoryStream.from(user).read(into: pointer, count: count) },
            write: { _, _, _ in 0 },
            tell: { user in MemoryStream.from(user).position }
        )
        var info = SF_INFO()
        let unmanaged = Unmanaged.passUnretained(stream)
        return try withExtendedLifetime(stream) {
            guard let handle = sf_open_virtual(&callbacks, Int32(SFM_READ), &info, unmanaged.toOpaque()) else {
                throw AudioError.unreadableFile(path: description, reason: String(cString: sf_strerror(nil)))
            }
            defer { sf_close(handle) }
            return try decode(handle, info: info, path: description)
        }
    }

    private static func decode(_ handle: OpaquePointer, info: SF_INFO, path: String) throws -> DecodedAudio {
        let channels = Int(info.channels)
        try checkHeader(info, path: path)
        // Read in chunks rather than trusting the header's frame count for the allocation.
        let chunkFrames = info.frames > 0 ? Int(min(info.frames, 1 << 16)) : 1 << 16
        var interleaved = [Float]()
        // The header's count is only a hint (fuzz-audio finding: a 195-byte FLAC claiming 1.2
        // billion frames): at most 16 million samples are reserved up front, the rest grows as read.
        // (libsndfile reports an unknown length as SF_COUNT_MAX: no multiplying before the cap.)
        if info.frames > 0 { interleaved.reserveCapacity(min(Int(min(info.frames, 1 << 24)) * channels, 1 << 24)) }
        var chunk = [Float](repeating: 0, count: chunkFrames * channels)
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(chunkFrames)) }
            if got <= 0 { break }
            interleaved.append(contentsOf: chunk[0..<(Int(got) * channels)])
        }
        let errorCode = sf_error(handle)
        if errorCode != 0 {
            throw AudioError.unreadableFile(path: path, reason: String(cString: sf_strerror(handle)))
        }
        let frames = interleaved.count / channels
        if frames == 0 { throw AudioError.noSamples(path: path) }
        if info.frames > 0 && Int(info.frames) > frames && info.frames != sf_count_t(Int64.max) {
            throw AudioError.truncatedFile(path: path, declaredFrames: Int(info.frames), readFrames: frames)
        }
        if let (declared, present) = dataChunkPastTheEnd(handle), present > 0 {
            // libsndfile quietly shortens a data chunk that runs past the end of the file.
            throw AudioError.truncatedFile(path: path, declaredFrames: Int(Double(frames) * Double(declared) / Double(present)), readFrames: frames)
        }
        var nonFinite = 0
        interleaved.withUnsafeMutableBufferPointer { samples in
            for i in samples.indices {
                let v = samples[i]
                if !v.isFinite { nonFinite += 1 }
                samples[i] = v * 32768
            }
        }
        if nonFinite > 0 { throw AudioError.nonFiniteSamples(path: path, count: nonFinite) }
        return DecodedAudio(interleaved: interleaved, channels: channels, sampleRate: Int(info.samplerate),
                            formatDescription: formatName(info.format))
    }

    /// The declared and present byte counts of a WAV `data` / AIFF `SSND` chunk that claims more
    /// bytes than the file holds, from libsndfile's header log ("data : 101600 (should be 50778)").
    /// Sizes that mark a stream of unknown length (0, or 0xFFFFF000 and above) do not count.
    fileprivate static func dataChunkPastTheEnd(_ handle: OpaquePointer) -> (declared: Int, present: Int)? {
        var log = [CChar](repeating: 0, count: 8192)
        let length = Int(sf_command(handle, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count)))
        guard length > 0 else { return nil }
        let text = String(decoding: log.prefix(min(length, log.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for raw in text.split(separator: "\n") {
            let line = raw.drop { $0 == " " }   // AIFF chunks are indented in the log
            guard line.hasPrefix("data :") || line.hasPrefix("SSND :") else { continue }
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard line.contains("(should be"), numbers.count >= 2 else { continue }
            let (declared, present) = (numbers[numbers.count - 2], numbers[numbers.count - 1])
            if declared > present, declared > 0, declared < 0xFFFF_F000 { return (declared, present) }
        }
        return nil
    }

    /// Writes mono 16-bit PCM WAV, atomically (temporary name, then rename).
    /// - Parameters:
    ///   - samples: in 16-bit integer scale; values beyond ±32767 are clipped.
    ///   - sampleRate: in Hz.
    /// - Throws: `AudioError.unreadableFile` (with the reason) if the file cannot be written.
    public static func writeWAV(path: String, samples: [Float], sampleRate: Int) throws {
        let temporary = "\(path).tmp-\(getpid())"
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        guard let handle = sf_open(temporary, Int32(SFM_WRITE), &info) else {
            throw AudioError.unreadableFile(path: path, reason: "cannot write: \(String(cString: sf_strerror(nil)))")
        }
        let pcm = samples.map { Int16(max(-32768, min(32767, $0.rounded()))) }
        let written = pcm.withUnsafeBufferPointer { sf_write_short(handle, $0.baseAddress, sf_count_t($0.count)) }
        let closed = sf_close(handle)
        guard written == sf_count_t(pcm.count), closed == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw AudioError.unreadableFile(path: path, reason: "cannot write all \(pcm.count) samples")
        }
    }

    /// libsndfile's names for the container and encoding.
    static func formatName(_ format: Int32) -> String {
        func name(_ value: Int32, _ command: Int32) -> String {
            var fmt = SF_FORMAT_INFO()
            fmt.format = value
            guard sf_command(nil, command, &fmt, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0, let n = fmt.name else { return "?" }
            return String(cString: n)
        }
        let major = name(format & Int32(SF_FORMAT_TYPEMASK), Int32(SFC_GET_FORMAT_INFO))
        let sub = name(format & Int32(SF_FORMAT_SUBMASK), Int32(SFC_GET_FORMAT_INFO))
        return "\(major), \(sub)"
    }
}

/// A sound file read a block at a time as mono samples (one channel, or the average of all), in
/// 16-bit integer scale like `SoundFile.read`: for recordings too long to hold whole. The same
/// problems are errors: NaN/∞ samples, a data chunk longer than the file, no samples at all.
public final class SoundFileStream {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    /// Frames the header declares (0 when unknown).
    public let declaredFrames: Int
    public private(set) var framesRead = 0
    private let handle: OpaquePointer
    private let channel: Int?
    private var interleaved: [Float] = []
    private var finished = false

    /// - Parameter channel: the channel to keep (from 0); nil averages all channels.
    /// - Throws: `AudioError` naming the path.
    public init(path: String, channel: Int?) throws {
        let (handle, info) = try SoundFile.open(path: path)
        self.handle = handle
        self.path = path
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        declaredFrames = info.frames > 0 && info.frames < sf_count_t(Int64.max) ? Int(info.frames) : 0
        self.channel = channels == 1 ? nil : channel
        if let channel, channels > 1, !(0..<channels).contains(channel) {
            sf_close(handle)
            throw AudioError.channelOutOfRange(path: path, channel: channel, channels: channels)
        }
    }

    deinit { sf_close(handle) }

    /// The rest of the file as one waveform at its own rate (for recordings short enough to hold).
    public func readAll() throws -> Waveform {
        var samples = [Float]()
        samples.reserveCapacity(min(declaredFrames, 1 << 24))
        while true {
            // A file whose header gives its length is read in one call (and one more to see its end).
            let block = try read(maximumFrames: max(1 << 16, declaredFrames - framesRead + 1))
            if block.isEmpty { break }
            if samples.isEmpty { samples = block } else { samples += block }
        }
        return Waveform(samples: samples, sampleRate: sampleRate)
    }

    /// The next samples, at most `maximumFrames`; empty at the end of the file.
    public func read(maximumFrames: Int = 1 << 16) throws -> [Float] {
        if finished { return [] }
        // No more than the header says is left (plus one frame, to see the end), so that a short
        // file does not pay for a long buffer; past what the header said, full blocks again.
        let wanted = declaredFrames > 0 && framesRead <= declaredFrames ? max(1, min(maximumFrames, declaredFrames - framesRead + 1)) : maximumFrames
        if interleaved.count < wanted * channels { interleaved = [Float](repeating: 0, count: wanted * channels) }
        let got = Int(interleaved.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(wanted)) })
        if got <= 0 {
            finished = true
            if sf_error(handle) != 0 { throw AudioError.unreadableFile(path: path, reason: String(cString: sf_strerror(handle))) }
            if framesRead == 0 { throw AudioError.noSamples(path: path) }
            if declaredFrames > framesRead { throw AudioError.truncatedFile(path: path, declaredFrames: declaredFrames, readFrames: framesRead) }
            if let (declared, present) = SoundFile.dataChunkPastTheEnd(handle), present > 0 {
                throw AudioError.truncatedFile(path: path, declaredFrames: Int(Double(framesRead) * Double(declared) / Double(present)), readFrames: framesRead)
            }
            return []
        }
        var nonFinite = 0
        if channels == 1 {
            // The common case, in a loop the compiler vectorises; non-finite samples are counted
            // only when there are some (a non-finite value times zero is NaN).
            let out = [Float](unsafeUninitializedCapacity: got) { buffer, count in
                interleaved.withUnsafeBufferPointer { source in for f in 0..<got { buffer[f] = source[f] * 32768 } }
                count = got
            }
            var probe: Float = 0
            for value in out { probe += value * 0 }
            if !probe.isFinite { nonFinite = out.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            if nonFinite > 0 { throw AudioError.nonFiniteSamples(path: path, count: nonFinite) }
            framesRead += got
            return out
        }
        var out = [Float](repeating: 0, count: got)
        interleaved.withUnsafeBufferPointer { source in
            for f in 0..<got {
                // The same arithmetic as `SoundFile.read` followed by `DecodedAudio.mono`.
                var value: Float
                if let channel {
                    value = source[f * channels + channel] * 32768
                } else {
                    value = 0
                    for c in 0..<channels { value += source[f * channels + c] * 32768 }
                    value *= 1 / Float(channels)
                }
                if !value.isFinite { nonFinite += 1 }
                out[f] = value
            }
        }
        // Counted per frame here (the whole-file reader counts samples); either way an error.
        if nonFinite > 0 { throw AudioError.nonFiniteSamples(path: path, count: nonFinite) }
        framesRead += got
        return out
    }
}

/// Backing store for libsndfile's virtual I/O over an in-memory file.
private final class MemoryStream {
    let bytes: [UInt8]
    var position: sf_count_t = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryStream {
        Unmanaged<MemoryStream>.fromOpaque(user!).takeUnretainedValue()
    }

    var length: sf_count_t { sf_count_t(bytes.count) }

    func seek(_ offset: sf_count_t, _ whence: Int32) -> sf_count_t {
        let base: sf_count_t
        switch whence {
        case SEEK_CUR: base = position
        case SEEK_END: base = length
        default: base = 0
        }
        position = min(max(0, base + offset), length)
        return position
    }

    func read(into pointer: UnsafeMutableRawPointer?, count: sf_count_t) -> sf_count_t {
        guard let pointer, count > 0 else { return 0 }
        let n = Int(min(count, length - position))
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { raw in
            pointer.copyMemory(from: raw.baseAddress! + Int(position), byteCount: n)
        }
        position += sf_count_t(n)
        return sf_count_t(n)
    }
}
