import Foundation

/// Inline SVG charts for the stats page, drawn on the server so the page needs no script.
///
/// Each builder is a pure function from numbers to an SVG string: a `viewBox` and no fixed
/// size (the stylesheet makes charts 100% wide), colours from classes that `stats.css` maps
/// to the chat's palette and dark mode (with presentation attributes as the fallback when
/// the stylesheet is missing), and a `<title>` on every mark so a pointer or a screen
/// reader gets the exact value. A `nil` value is a suppressed cell ("<5"): it is drawn as
/// a gap or a hatched area, never as zero. Every caller-given string is escaped here.
///
/// The builders live in `SVGChart+Lines.swift`, `+Bars`, `+HorizontalBars` and `+Heatmap`.
public enum SVGChart {
    /// One named line or bar layer, a value per column; `nil` where the value is suppressed.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var values: [Int?]

        public init(name: String, values: [Int?]) {
            self.name = name
            self.values = values
        }
    }

    /// Width of every chart in viewBox units; heights vary. Charts scale to their card:
    /// ~340 px on a phone, ~490 px in a desktop column, so 13-unit text reads as 11–16 px.
    public static let width = 400.0
    /// The plot area's margins in the time charts: y labels on the left, x labels below.
    static let left = 44.0, right = 8.0, top = 10.0, bottom = 24.0

    /// Fallback colours of series 0, 1, 2; `stats.css` overrides them through `series-N`.
    static let palette = ["#0084a8", "#c99400", "#7b61c9"]
    static let hatchColor = "#8a96a3", gridColor = "#dde3e9", suppressedColor = "#c3cad1"

    static func color(_ series: Int) -> String { palette[series % palette.count] }

    /// The `<svg>` start tag, its accessible title and the hatch pattern for suppressed areas.
    /// `id` must be unique on the page: inline SVG ids share the document's namespace.
    static func open(id: String, width: Double = width, height: Double, title: String) -> String {
        let id = HTMLText.escape(id)
        return #"<svg class="chart" viewBox="0 0 \#(number(width)) \#(number(height))" role="img" "#
            + #"aria-labelledby="\#(id)-title" xmlns="http://www.w3.org/2000/svg">"#
            + #"<title id="\#(id)-title">\#(HTMLText.escape(title))</title>"#
            + #"<defs><pattern id="\#(id)-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"#
            + #"<line class="hatch-line" x1="0" y1="0" x2="0" y2="6" stroke="\#(hatchColor)" stroke-width="2"/></pattern></defs>"#
    }

    static func hatch(_ id: String) -> String { "url(#\(HTMLText.escape(id))-hatch)" }

    /// A coordinate with at most one decimal, so the markup stays short and stable.
    static func number(_ x: Double) -> String {
        let rounded = (x * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// Axis tick text: 950, 12k, 12.5k, 1.2M.
    static func compact(_ n: Int) -> String {
        switch n {
        case ..<10_000: return String(n)
        case ..<100_000: return trimmed(Double(n) / 1000) + "k"
        case ..<1_000_000: return String(n / 1000) + "k"
        default: return trimmed(Double(n) / 1_000_000) + "M"
        }
    }

    private static func trimmed(_ x: Double) -> String {
        let s = String(format: "%.1f", x)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    /// A y axis from 0 to a round maximum at least `maximum`, in about four steps of 1, 2 or 5 × 10ⁿ.
    struct Scale: Equatable {
        var step: Int
        var top: Int

        init(maximum: Int) {
            let raw = max(Double(maximum), 1) / 4
            let magnitude = pow(10, (log10(raw)).rounded(.down))
            let nice = [1.0, 2, 5, 10].first { $0 * magnitude >= raw } ?? 10
            step = max(Int(nice * magnitude), 1)
            top = step * max(Int((Double(max(maximum, 1)) / Double(step)).rounded(.up)), 1)
        }

        var ticks: [Int] { Array(stride(from: 0, through: top, by: step)) }
    }

    /// The plot area of a time chart of `height`, and the x of column `i`'s left edge.
    struct Frame {
        var height: Double
        var columns: Int
        var scale: Scale

        var plotTop: Double { top }
        var plotBottom: Double { height - bottom }
        var columnWidth: Double { (width - left - right) / Double(max(columns, 1)) }
        func x(_ column: Int) -> Double { left + columnWidth * Double(column) }
        func center(_ column: Int) -> Double { x(column) + columnWidth / 2 }
        func y(_ value: Double) -> Double { plotBottom - (plotBottom - plotTop) * value / Double(scale.top) }
    }

    /// Horizontal grid lines with their values, and up to five x labels spread over the columns.
    static func axes(_ frame: Frame, labels: [String]) -> String {
        var out = ""
        for tick in frame.scale.ticks {
            let y = number(frame.y(Double(tick)))
            out += #"<line class="grid" x1="\#(number(left))" y1="\#(y)" x2="\#(number(width - right))" y2="\#(y)" stroke="\#(gridColor)"/>"#
            out += #"<text class="tick" x="\#(number(left - 6))" y="\#(y)" text-anchor="end" dominant-baseline="middle">\#(compact(tick))</text>"#
        }
        let shown = min(labels.count, 5)
        guard shown > 0 else { return out }
        let indices = shown == 1 ? [0] : (0..<shown).map { Int((Double($0) * Double(labels.count - 1) / Double(shown - 1)).rounded()) }
        for (n, i) in indices.enumerated() {
            // The first and last labels grow inward so they stay inside the viewBox.
            let anchor = shown == 1 ? "middle" : n == 0 ? "start" : n == shown - 1 ? "end" : "middle"
            let x = shown == 1 ? frame.center(i) : n == 0 ? frame.x(i) : n == shown - 1 ? frame.x(i + 1) : frame.center(i)
            out += #"<text class="tick" x="\#(number(x))" y="\#(number(frame.height - 6))" text-anchor="\#(anchor)">\#(HTMLText.escape(labels[i]))</text>"#
        }
        return out
    }
}
