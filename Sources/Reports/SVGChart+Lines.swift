extension SVGChart {
    /// Lines over time, one per series, with a dot on every published value.
    ///
    /// A suppressed value breaks its line (a gap, not a dip to zero). Its column gets a
    /// hatched band from 0 up to `suppressedBelow`: the true value lies somewhere in it.
    /// The legend is the page's job (HTML next to the chart), so it wraps on phones.
    ///
    /// - Parameters:
    ///   - labels: one per column (the x axis shows up to five of them).
    ///   - series: each with `labels.count` values.
    /// - Complexity: O(columns × series).
    public static func lines(id: String, title: String, labels: [String], series: [Series], suppressedBelow: Int) -> String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let frame = Frame(height: 200, columns: labels.count,
                          scale: Scale(maximum: max(values.max() ?? 0, suppressedBelow * 2)))
        var out = open(id: id, height: frame.height, title: title) + axes(frame, labels: labels)

        let bandTop = min(frame.y(Double(suppressedBelow)), frame.plotBottom - 6)
        for (i, label) in labels.enumerated() where series.contains(where: { i < $0.values.count && $0.values[i] == nil }) {
            out += #"<rect class="suppressed" x="\#(number(frame.x(i)))" y="\#(number(bandTop))" "#
                + #"width="\#(number(frame.columnWidth))" height="\#(number(frame.plotBottom - bandTop))" fill="\#(hatch(id))">"#
                + #"<title>\#(HTMLText.escape(label)): &lt;\#(suppressedBelow)</title></rect>"#
        }
        for (s, line) in series.enumerated() {
            let path = runs(line.values).map { run in
                run.enumerated().map { n, i in
                    (n == 0 ? "M" : "L") + number(frame.center(i)) + " " + number(frame.y(Double(line.values[i] ?? 0)))
                }.joined(separator: " ")
            }.joined(separator: " ")
            if !path.isEmpty {
                out += #"<path class="line series-\#(s)" d="\#(path)" fill="none" stroke="\#(color(s))" stroke-width="2" "#
                    + #"stroke-linejoin="round" stroke-linecap="round"/>"#
            }
            for (i, value) in line.values.enumerated() {
                guard let value, i < labels.count else { continue }
                out += #"<circle class="dot series-\#(s)" cx="\#(number(frame.center(i)))" cy="\#(number(frame.y(Double(value))))" "#
                    + #"r="\#(number(dotRadius(s, of: series.count)))" fill="\#(color(s))"><title>\#(HTMLText.escape(labels[i])) · \#(HTMLText.escape(line.name)): \#(value)</title></circle>"#
            }
        }
        return out + "</svg>"
    }

    /// Earlier series get bigger dots, so equal values (DAU = WAU = MAU on a first day)
    /// show as rings instead of one dot hiding the others.
    static func dotRadius(_ series: Int, of count: Int) -> Double { 2.5 + 1.5 * Double(max(count - 1 - series, 0)) }

    /// The index runs between suppressed values: `[1, nil, 2, 3]` → `[[0], [2, 3]]`.
    static func runs(_ values: [Int?]) -> [[Int]] {
        var runs: [[Int]] = [], current: [Int] = []
        for (i, value) in values.enumerated() {
            if value == nil {
                if !current.isEmpty { runs.append(current) }
                current = []
            } else {
                current.append(i)
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
