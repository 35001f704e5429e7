extension SVGChart {
    /// One labelled row of a horizontal bar chart.
    public struct Row: Sendable, Equatable {
        public var label: String
        /// The bar's length; `nil` when suppressed (a short hatched stub, never a zero bar).
        public var value: Int?
        /// What is printed after the bar: the number, "<5", "≥ 120".
        public var text: String

        public init(label: String, value: Int?, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    /// Each row is its label on one line and its bar below, so long model names and
    /// translated reasons get the full width (a phone has no room for a label column).
    static let rowHeight = 38.0
    /// Labels longer than this are cut; the full label is in the row's `<title>`.
    static let labelCharacters = 60

    /// Horizontal bars, one per row, lengths relative to the largest value.
    ///
    /// - Parameter width: the viewBox width; narrower for a narrow card, so its text is not shrunk.
    /// - Complexity: O(rows).
    public static func horizontalBars(id: String, title: String, rows: [Row], width: Double = width) -> String {
        let textWidth = 72.0, barHeight = 14.0
        let barSpace = width - textWidth
        let largest = max(rows.compactMap(\.value).max() ?? 0, 1)
        var out = open(id: id, width: width, height: Double(rows.count) * rowHeight, title: title)
        for (r, row) in rows.enumerated() {
            let y = Double(r) * rowHeight
            let barTop = y + 18, middle = number(y + 18 + barHeight / 2)
            let label = HTMLText.escape(row.label), text = HTMLText.escape(row.text)
            out += #"<g class="row"><title>\#(label): \#(text)</title>"#
            out += #"<text class="label" x="0" y="\#(number(y + 13))">\#(HTMLText.escape(HTMLText.truncated(row.label, to: labelCharacters)))</text>"#
            let length: Double
            if let value = row.value {
                length = value > 0 ? max(barSpace * Double(value) / Double(largest), 2) : 0
                out += #"<rect class="bar series-0" x="0" y="\#(number(barTop))" width="\#(number(length))" "#
                    + #"height="\#(number(barHeight))" rx="3" fill="\#(color(0))"/>"#
            } else {
                length = 16
                out += #"<rect class="suppressed" x="0" y="\#(number(barTop))" width="\#(number(length))" "#
                    + #"height="\#(number(barHeight))" fill="\#(hatch(id))"/>"#
            }
            out += #"<text class="value" x="\#(number(length + 6))" y="\#(middle)" dominant-baseline="middle">\#(text)</text></g>"#
        }
        return out + "</svg>"
    }
}
