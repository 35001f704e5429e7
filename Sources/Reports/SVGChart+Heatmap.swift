extension SVGChart {
    /// One cell of a heatmap.
    public struct HeatCell: Sendable, Equatable {
        /// Printed in the cell: a count or "<5".
        public var text: String
        /// Shade from 0 to 1; `nil` for a suppressed cell, which is grey.
        public var fraction: Double?
        /// The cell's `<title>`, e.g. "3 of 12 (25%)".
        public var detail: String

        public init(text: String, fraction: Double?, detail: String) {
            self.text = text
            self.fraction = fraction
            self.detail = detail
        }
    }

    /// One heatmap row: its label and its cells from the left.
    public struct HeatRow: Sendable, Equatable {
        public var label: String
        public var cells: [HeatCell]

        public init(label: String, cells: [HeatCell]) {
            self.label = label
            self.cells = cells
        }
    }

    /// A grid of shaded cells with numbers: rows top to bottom, `columns` labels on top.
    /// Rows may be shorter than the header (a retention triangle); missing cells stay empty.
    ///
    /// - Complexity: O(rows × columns).
    public static func heatmap(id: String, title: String, columns: [String], rows: [HeatRow]) -> String {
        let labelWidth = 124.0, header = 20.0, cellHeight = 24.0
        let cellWidth = min(48, (width - labelWidth) / Double(max(columns.count, 1)))
        var out = open(id: id, height: header + Double(rows.count) * cellHeight + 2, title: title)
        for (c, column) in columns.enumerated() {
            out += #"<text class="tick" x="\#(number(labelWidth + cellWidth * (Double(c) + 0.5)))" y="14" text-anchor="middle">\#(HTMLText.escape(column))</text>"#
        }
        for (r, row) in rows.enumerated() {
            let y = header + Double(r) * cellHeight
            out += #"<text class="label" x="0" y="\#(number(y + cellHeight / 2))" dominant-baseline="middle">\#(HTMLText.escape(row.label))</text>"#
            for (c, cell) in row.cells.prefix(columns.count).enumerated() {
                let x = labelWidth + cellWidth * Double(c)
                let shape = #"x="\#(number(x + 1))" y="\#(number(y + 1))" width="\#(number(cellWidth - 2))" height="\#(number(cellHeight - 2))" rx="3""#
                let textClass: String
                if let fraction = cell.fraction {
                    // Never fully transparent, so a 0% cell still reads as a cell.
                    let opacity = number(0.08 + 0.92 * min(max(fraction, 0), 1))
                    out += #"<g class="cell"><rect class="heat" \#(shape) fill="\#(color(0))" fill-opacity="\#(opacity)"/>"#
                    textClass = fraction >= 0.55 ? "heat-text strong" : "heat-text"
                } else {
                    out += #"<g class="cell"><rect class="heat-suppressed" \#(shape) fill="\#(suppressedColor)"/>"#
                    textClass = "heat-text"
                }
                out += #"<title>\#(HTMLText.escape(row.label)) · \#(HTMLText.escape(columns[c])): \#(HTMLText.escape(cell.detail))</title>"#
                out += #"<text class="\#(textClass)" x="\#(number(x + cellWidth / 2))" y="\#(number(y + cellHeight / 2))" "#
                    + #"text-anchor="middle" dominant-baseline="middle">\#(HTMLText.escape(cell.text))</text></g>"#
            }
        }
        return out + "</svg>"
    }
}
