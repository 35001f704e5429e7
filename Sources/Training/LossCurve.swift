import Reports
import Foundation

/// The loss curve of a run as CSV and as a standalone SVG line chart.
public enum LossCurve {
    /// `initialEval`: the eval loss before the first step, written as step 0.
    public static func csv(_ history: [LossRecord], initialEval: Double? = nil) -> String {
        var out = "step,epoch,learning_rate,loss,eval_loss,tokens,elapsed_s\n"
        if let e = initialEval { out += "0,0.0000,0,,\(fmt(e, 5)),0,0.00\n" }
        for r in history {
            out += "\(r.step),\(fmt(r.epoch, 4)),\(r.learningRate),\(fmt(r.loss, 5)),\(r.evalLoss.map { fmt($0, 5) } ?? ""),"
            out += "\(r.tokens),\(fmt(r.elapsedSeconds, 2))\n"
        }
        return out
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// Training loss (blue line) and eval loss (orange points and line) against step.
    public static func svg(_ history: [LossRecord], title: String, initialEval: Double? = nil) -> String {
        let w = 640.0, h = 360.0, left = 56.0, right = 16.0, top = 36.0, bottom = 44.0
        let train = history.map { (Double($0.step), $0.loss) }
        let eval = (initialEval.map { [(0.0, $0)] } ?? []) + history.compactMap { r in r.evalLoss.map { (Double(r.step), $0) } }
        let ys = train.map(\.1) + eval.map(\.1)
        let maxStep = max(1, history.map(\.step).max() ?? 1)
        var lo = ys.min() ?? 0, hi = ys.max() ?? 1
        if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.05
        lo = max(0, lo - pad)
        hi += pad
        func x(_ s: Double) -> Double { left + (w - left - right) * s / Double(maxStep) }
        func y(_ v: Double) -> Double { top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)) }
        func path(_ pts: [(Double, Double)]) -> String {
            pts.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
        }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(w)) \(Int(h))" width="\(Int(w))" height="\(Int(h))" \
        font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(left))" y="20" font-size="14">\(escape(title))</text>

        """
        for i in 0...4 {
            let v = lo + (hi - lo) * Double(i) / 4
            let yy = y(v)
            s += String(format: "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, w - right, yy, yy)
            s += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", left - 6, yy + 4, v)
        }
        for i in 0...4 {
            let st = Double(maxStep) * Double(i) / 4
            s += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n", x(st), h - bottom + 18, st)
        }
        s += "<text x=\"\(Int(w / 2))\" y=\"\(Int(h - 6))\" text-anchor=\"middle\">step</text>\n"
        s += "<text x=\"14\" y=\"\(Int(h / 2))\" transform=\"rotate(-90 14 \(Int(h / 2)))\" text-anchor=\"middle\">loss (nats/token)</text>\n"
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(path(train))\"/>\n"
        if !eval.isEmpty {
            s += "<polyline fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"1.5\" points=\"\(path(eval))\"/>\n"
            for p in eval { s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#ff7f0e\"/>", x(p.0), y(p.1)) }
            s += "\n"
        }
        s += "<text x=\"\(Int(w - 150))\" y=\"\(Int(top + 4))\" fill=\"#1f77b4\">— train loss</text>\n"
        if !eval.isEmpty { s += "<text x=\"\(Int(w - 150))\" y=\"\(Int(top + 20))\" fill=\"#ff7f0e\">● eval loss</text>\n" }
        s += "</svg>\n"
        return s
    }

    static func escape(_ t: String) -> String { HTMLEscape.escape(t) }
}
