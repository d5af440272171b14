import Acoustic
import Transcription
import Core
import Foundation
import KaldiIO
import Training

/// One utterance drawn in a report: its log-Mel spectrogram with interval tiers underneath.
public struct UtteranceView: Codable, Sendable {
    public struct Interval: Codable, Sendable {
        public var start: Double
        public var end: Double
        public var label: String
    }

    public struct Tier: Codable, Sendable {
        public var name: String
        public var intervals: [Interval]
    }

    public var key: String
    /// Seconds covered by the spectrogram.
    public var duration: Double
    /// PNG of the spectrogram, base64 (low frequencies at the bottom, one column per frame).
    public var spectrogram: String
    public var tiers: [Tier]

    /// - Parameters:
    ///   - features: `frames × bins` log-Mel energies.
    ///   - frameShift: seconds between frames.
    ///   - tiers: CTM entries per tier name, in drawing order; `SIL` and `<eps>` entries are left out.
    public init(key: String, features: Matrix, frameShift: Double, tiers: [(name: String, entries: [CTMEntry])]) {
        self.key = key
        duration = Double(features.rows) * frameShift
        spectrogram = Data(Self.spectrogramImage(features).data).base64EncodedString()
        self.tiers = tiers.map { tier in
            Tier(name: tier.name, intervals: tier.entries.filter { $0.label != "SIL" && $0.label != "<eps>" }
                .map { Interval(start: $0.start, end: $0.end, label: $0.label) })
        }
    }

    /// Energies mapped onto a dark-to-bright colour scale over the top 8 nats (≈ 35 dB) of the utterance.
    static func spectrogramImage(_ features: Matrix) -> PNGImage {
        var image = PNGImage(width: max(1, features.rows), height: max(1, features.columns))
        guard features.rows > 0, features.columns > 0 else { return image }
        let top = features.values.filter(\.isFinite).max() ?? 0
        let floor = top - 8
        for t in 0..<features.rows {
            for bin in 0..<features.columns {
                let v = features[t, bin]
                let level = v.isFinite ? min(1, max(0, (v - floor) / (top - floor))) : 0
                image[t, features.columns - 1 - bin] = colour(level)
            }
        }
        return image
    }

    /// Black → purple → orange → pale yellow.
    static func colour(_ level: Float) -> (UInt8, UInt8, UInt8) {
        let stops: [(Float, Float, Float)] = [(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)]
        let x = level * Float(stops.count - 1)
        let i = min(stops.count - 2, Int(x)), f = x - Float(i)
        func mix(_ a: Float, _ b: Float) -> UInt8 { UInt8(max(0, min(255, (a + (b - a) * f).rounded()))) }
        return (mix(stops[i].0, stops[i + 1].0), mix(stops[i].1, stops[i + 1].1), mix(stops[i].2, stops[i + 1].2))
    }
}

/// A recipe's run report: `exp/<name>/report.html`, one self-contained page with the run's
/// figures (error rates, alignment accuracy), the training curves per round and per epoch, and a
/// few utterances drawn as spectrogram plus word and phone tiers. The page carries its data as
/// JSON and draws charts and tiers as SVG with a small script, so it needs no files beside it.
public struct RunReport: Sendable {
    public struct Figure: Codable, Sendable {
        public var label: String
        public var text: String
        public init(label: String, text: String) { self.label = label; self.text = text }
    }

    public struct EpochPoint: Codable, Sendable {
        public var round: Int
        public var report: EpochReport
    }

    public var title: String
    public var figures: [Figure] = []
    public var rounds: [RoundReport] = []
    public var epochs: [EpochPoint] = []
    public var utterances: [UtteranceView] = []
    public var generated = Date()

    public init(title: String) { self.title = title }

    /// Reads a `parrot train` model directory: `rounds.json`, the CTC network's
    /// `ctc/history.json` (round 0: `--criterion ctc` or `--init-alignment ctc`) and every `round-N/history.json`.
    public mutating func addTraining(modelDirectory: String) throws {
        let fm = FileManager.default
        let roundsPath = (modelDirectory as NSString).appendingPathComponent("rounds.json")
        if fm.fileExists(atPath: roundsPath) {
            rounds = try JSONFile.read([RoundReport].self, from: roundsPath)
        }
        let ctcHistory = (modelDirectory as NSString).appendingPathComponent("ctc/history.json")
        if fm.fileExists(atPath: ctcHistory) {
            epochs += try JSONFile.read([EpochReport].self, from: ctcHistory).map { EpochPoint(round: 0, report: $0) }
        }
        var round = 1
        while true {
            let history = (modelDirectory as NSString).appendingPathComponent("round-\(round)/history.json")
            guard fm.fileExists(atPath: history) else { break }
            let reports = try JSONFile.read([EpochReport].self, from: history)
            epochs += reports.map { EpochPoint(round: round, report: $0) }
            round += 1
        }
        // A network trained alone (parrot nnet-train) keeps its history at the top.
        let single = (modelDirectory as NSString).appendingPathComponent("history.json")
        if epochs.isEmpty, fm.fileExists(atPath: single) {
            epochs = try JSONFile.read([EpochReport].self, from: single).map { EpochPoint(round: 1, report: $0) }
        }
    }

    private struct Payload: Encodable {
        var rounds: [RoundReport]
        var epochs: [EpochPoint]
        var utterances: [UtteranceView]
    }

    /// The page.
    public func html() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // JSONEncoder escapes "/", so no "</script>" can end the data block early.
        let payload = String(decoding: try encoder.encode(Payload(rounds: rounds, epochs: epochs, utterances: utterances)), as: UTF8.self)
        let stamp = ISO8601DateFormatter().string(from: generated)
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <h1>\(escape(title))</h1>
        <p class="stamp">Parrot run report, \(escape(stamp))</p>

        """
        if !figures.isEmpty {
            page += "<section id=\"figures\"><h2>Results</h2>\n"
            for figure in figures {
                page += "<div class=\"figure\"><h3>\(escape(figure.label))</h3><pre>\(escape(figure.text))</pre></div>\n"
            }
            page += "</section>\n"
        }
        if !rounds.isEmpty || !epochs.isEmpty {
            page += "<section id=\"training\"><h2>Training</h2>\n"
            if !rounds.isEmpty {
                page += "<table class=\"rounds\"><tr><th>round</th><th>mean best-path log-likelihood per frame</th><th>frames changed</th><th>validation frame accuracy</th><th>aligned</th><th>failed</th></tr>\n"
                for r in rounds {
                    let accuracy = r.validationAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "–"
                    page += "<tr><td>\(r.round)</td><td>" + String(format: "%.4f</td><td>%.2f%%", r.meanLogLikelihood, 100 * r.framesChanged)
                        + "</td><td>\(accuracy)</td><td>\(r.aligned)</td><td>\(r.failed)</td></tr>\n"
                }
                page += "</table>\n"
            }
            page += "<div id=\"round-charts\" class=\"charts\"></div>\n<div id=\"epoch-charts\" class=\"charts\"></div>\n</section>\n"
        }
        if !utterances.isEmpty {
            page += "<section id=\"utterances\"><h2>Aligned utterances</h2>\n"
            for (n, u) in utterances.enumerated() {
                page += "<figure class=\"utterance\" data-index=\"\(n)\"><figcaption>\(escape(u.key)) (\(String(format: "%.2f", u.duration)) s)</figcaption></figure>\n"
            }
            page += "</section>\n"
        }
        page += "<script type=\"application/json\" id=\"report-data\">\(payload)</script>\n<script>\(Self.script)</script>\n</body>\n</html>\n"
        return page
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let style = """
    body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }
    pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }
    table.rounds { border-collapse: collapse; margin-bottom: 1em; }
    table.rounds td, table.rounds th { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: right; }
    .charts { display: flex; flex-wrap: wrap; gap: 1em; }
    .stamp { color: #666; }
    figure.utterance { margin: 1em 0; overflow-x: auto; }
    svg text { font-size: 11px; }
    .tier rect.interval { fill: #e8eef8; stroke: #3a5a8c; stroke-width: 1; }
    """

    /// Draws the charts and the utterances from the JSON block (no libraries).
    static let script = """
    (function () {
      const data = JSON.parse(document.getElementById('report-data').textContent);
      const NS = 'http://www.w3.org/2000/svg';
      function el(name, attrs, parent, text) {
        const e = document.createElementNS(NS, name);
        for (const k in attrs) e.setAttribute(k, attrs[k]);
        if (text !== undefined) e.textContent = text;
        if (parent) parent.appendChild(e);
        return e;
      }
      const colours = ['#1f5fa8', '#d0661c', '#2b8a3e', '#8a2b7a'];
      function chart(container, title, xLabel, series) {
        const points = series.flatMap(s => s.points);
        if (points.length === 0) return;
        const W = 420, H = 230, L = 58, R = 12, T = 26, B = 40;
        const svg = el('svg', {width: W, height: H, class: 'chart', 'data-chart': title}, container);
        let x0 = Math.min(...points.map(p => p[0])), x1 = Math.max(...points.map(p => p[0]));
        let y0 = Math.min(...points.map(p => p[1])), y1 = Math.max(...points.map(p => p[1]));
        if (x1 === x0) { x0 -= 1; x1 += 1; }
        if (y1 === y0) { y0 -= 1; y1 += 1; }
        const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R), sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
        el('text', {x: W / 2, y: 16, 'text-anchor': 'middle', 'font-weight': 'bold'}, svg, title);
        el('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#444'}, svg);
        el('line', {x1: L, y1: T, x2: L, y2: H - B, stroke: '#444'}, svg);
        const fmt = v => Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
        el('text', {x: L - 4, y: sy(y1) + 4, 'text-anchor': 'end'}, svg, fmt(y1));
        el('text', {x: L - 4, y: sy(y0) + 4, 'text-anchor': 'end'}, svg, fmt(y0));
        el('text', {x: sx(x0), y: H - B + 14, 'text-anchor': 'middle'}, svg, String(x0));
        el('text', {x: sx(x1), y: H - B + 14, 'text-anchor': 'middle'}, svg, String(x1));
        el('text', {x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle'}, svg, xLabel);
        series.forEach((s, i) => {
          if (s.points.length === 0) return;
          const colour = colours[i % colours.length];
          el('polyline', {points: s.points.map(p => sx(p[0]) + ',' + sy(p[1])).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2, class: 'series', 'data-series': s.name}, svg);
          s.points.forEach(p => el('circle', {cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: colour}, svg));
          el('text', {x: W - R - 4, y: T + 12 + 13 * i, 'text-anchor': 'end', fill: colour}, svg, s.name);
        });
      }
      const roundCharts = document.getElementById('round-charts');
      if (roundCharts && data.rounds.length) {
        chart(roundCharts, 'Mean best-path log-likelihood per frame', 'round', [{name: 'log-likelihood', points: data.rounds.map(r => [r.round, r.meanLogLikelihood])}]);
        chart(roundCharts, 'Frames whose label changed (%)', 'round', [{name: 'changed', points: data.rounds.map(r => [r.round, 100 * r.framesChanged])}]);
        const valid = data.rounds.filter(r => r.validationAccuracy !== undefined && r.validationAccuracy !== null);
        chart(roundCharts, 'Validation frame accuracy (%)', 'round', [{name: 'accuracy', points: valid.map(r => [r.round, 100 * r.validationAccuracy])}]);
      }
      const epochCharts = document.getElementById('epoch-charts');
      if (epochCharts && data.epochs.length) {
        const e = data.epochs.map((p, i) => Object.assign({x: i + 1}, p.report));
        const withValid = e.filter(r => r.validationLoss !== undefined && r.validationLoss !== null);
        chart(epochCharts, 'Frame cross-entropy per epoch (all rounds)', 'epoch', [
          {name: 'training', points: e.map(r => [r.x, r.trainLoss])},
          {name: 'validation', points: withValid.map(r => [r.x, r.validationLoss])}]);
        chart(epochCharts, 'Frame accuracy per epoch (%)', 'epoch', [
          {name: 'training', points: e.map(r => [r.x, 100 * r.trainAccuracy])},
          {name: 'validation', points: withValid.map(r => [r.x, 100 * r.validationAccuracy])}]);
      }
      document.querySelectorAll('figure.utterance').forEach(figure => {
        const u = data.utterances[Number(figure.dataset.index)];
        const left = 60, width = Math.min(1100, Math.max(500, Math.round(u.duration * 300))), specHeight = 160, tierHeight = 34;
        const height = specHeight + tierHeight * u.tiers.length + 24;
        const svg = el('svg', {width: left + width + 10, height: height, class: 'alignment', 'data-utterance': u.key}, figure);
        const sx = t => left + t / u.duration * width;
        el('image', {x: left, y: 0, width: width, height: specHeight, preserveAspectRatio: 'none', href: 'data:image/png;base64,' + u.spectrogram, class: 'spectrogram'}, svg);
        el('text', {x: left - 6, y: specHeight / 2, 'text-anchor': 'end'}, svg, 'log-Mel');
        u.tiers.forEach((tier, n) => {
          const top = specHeight + n * tierHeight;
          const g = el('g', {class: 'tier', 'data-tier': tier.name}, svg);
          el('text', {x: left - 6, y: top + tierHeight / 2 + 4, 'text-anchor': 'end', class: 'tier-name'}, g, tier.name);
          el('rect', {x: left, y: top, width: width, height: tierHeight, fill: '#fafafa', stroke: '#999'}, g);
          tier.intervals.forEach(iv => {
            el('rect', {x: sx(iv.start), y: top + 2, width: Math.max(1, sx(iv.end) - sx(iv.start)), height: tierHeight - 4, class: 'interval'}, g);
            el('text', {x: (sx(iv.start) + sx(iv.end)) / 2, y: top + tierHeight / 2 + 4, 'text-anchor': 'middle', class: 'label'}, g, iv.label);
          });
        });
        const axis = specHeight + tierHeight * u.tiers.length;
        const step = u.duration > 6 ? 1 : 0.5;
        for (let t = 0; t <= u.duration + 1e-9; t += step) {
          el('line', {x1: sx(t), y1: axis, x2: sx(t), y2: axis + 5, stroke: '#444'}, svg);
          el('text', {x: sx(t), y: axis + 17, 'text-anchor': 'middle'}, svg, t.toFixed(1) + ' s');
        }
      });
    })();
    """
}
