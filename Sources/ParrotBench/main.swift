import Audio
import Foundation

// parrot-bench features WAV [REPEATS]
// Times log-Mel filterbank extraction (40 bins, Kaldi settings) over the whole file held in
// memory, with one worker and with two workers (each half of the signal on its own thread,
// each with its own FFT plan). Prints one line per configuration: threads, best milliseconds,
// times real time, frames per second.

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: parrot-bench features WAV [REPEATS]\n".utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "features" else { usage() }
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 30 : 30

do {
    let audio = try SoundFile.read(path: arguments[2])
    var options = FbankOptions()
    options.sampleRate = audio.sampleRate
    let samples = try audio.mono(channel: nil, path: arguments[2]).samples
    let seconds = Double(samples.count) / Double(audio.sampleRate)

    func best(_ body: () -> Int) -> (milliseconds: Double, frames: Int) {
        var bestTime = Double.infinity
        var frames = 0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            frames = body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            bestTime = min(bestTime, elapsed)
        }
        return (bestTime, frames)
    }

    // One worker.
    let single = try FbankComputer(options: options)
    _ = single.compute(samples)
    let one = best { single.compute(samples).rows }

    // Two workers: frames [0, n/2) and [n/2, n), each computed from the samples they cover.
    let computers = [try FbankComputer(options: options), try FbankComputer(options: options)]
    let totalFrames = single.frameCount(sampleCount: samples.count)
    let half = totalFrames / 2
    let shift = options.frameShiftSamples, length = options.frameLengthSamples
    let parts = [Array(samples[0..<((half - 1) * shift + length)]), Array(samples[(half * shift)...])]
    let two = best {
        var rows = [0, 0]
        DispatchQueue.concurrentPerform(iterations: 2) { i in rows[i] = computers[i].compute(parts[i]).rows }
        return rows[0] + rows[1]
    }
    precondition(two.frames == totalFrames, "split lost frames")

    print(String(format: "audio: %.1f s at %d Hz, %d frames, 40 bins; best of %d runs", seconds, audio.sampleRate, totalFrames, repeats))
    for (threads, result) in [(1, one), (2, two)] {
        print(String(format: "parrot\t%d\t%.2f\t%.0f\t%.0f", threads, result.milliseconds,
                     seconds / (result.milliseconds / 1000), Double(result.frames) / (result.milliseconds / 1000)))
    }
} catch {
    FileHandle.standardError.write(Data("parrot-bench: \(error)\n".utf8))
    exit(1)
}
