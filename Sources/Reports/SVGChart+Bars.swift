extension SVGChart {
    /// Vertical bars over time; several series stack in their order (bottom first).
    ///
    /// A column with any suppressed value is one hatched, full-height column: a group
    /// of fewer than five users may still send many messages, so no height is implied.
    ///
    /// - Complexity: O(columns × series).
    public static func bars(id: String, title: String, labels: [String], series: [Series], suppressedText: String) -> String {
        let totals = labels.indices.map { i in series.reduce(0) { $0 + (i < $1.values.count ? $1.values[i] ?? 0 : 0) } }
        let frame = Frame(height: 180, columns: labels.count, scale: Scale(maximum: totals.max() ?? 0))
        var out = open(id: id, height: frame.height, title: title) + axes(frame, labels: labels)
        let barWidth = max(frame.columnWidth * 0.72, 1)
        for (i, label) in labels.enumerated() {
            let x = number(frame.center(i) - barWidth / 2)
            if series.contains(where: { i >= $0.values.count || $0.values[i] == nil }) {
                out += #"<rect class="suppressed" x="\#(x)" y="\#(number(frame.plotTop))" width="\#(number(barWidth))" "#
                    + #"height="\#(number(frame.plotBottom - frame.plotTop))" fill="\#(hatch(id))">"#
                    + #"<title>\#(HTMLText.escape(label)): \#(HTMLText.escape(suppressedText))</title></rect>"#
                continue
            }
            var base = 0
            for (s, layer) in series.enumerated() {
                guard let value = layer.values[i], value > 0 else { continue }
                let y0 = frame.y(Double(base)), y1 = frame.y(Double(base + value))
                out += #"<rect class="bar series-\#(s)" x="\#(x)" y="\#(number(y1))" width="\#(number(barWidth))" "#
                    + #"height="\#(number(y0 - y1))" fill="\#(color(s))">"#
                    + #"<title>\#(HTMLText.escape(label)) · \#(HTMLText.escape(layer.name)): \#(value)</title></rect>"#
                base += value
            }
        }
        return out + "</svg>"
    }
}
