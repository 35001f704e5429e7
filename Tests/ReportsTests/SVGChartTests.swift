import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reports

/// The stats page's SVG builders as pure functions: marks per value, gaps for
/// suppressed values, escaping, and well-formed markup.
@Suite struct SVGChartTests {
    static let hostile = #"<script>alert(1)</script>"'&"#

    /// The elements of an SVG document, in order, each with its attributes; `nil` when
    /// the markup is not well-formed XML.
    final class Elements: NSObject, XMLParserDelegate {
        var list: [(name: String, attributes: [String: String])] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            list.append((name, attributes))
        }

        static func parse(_ svg: String) -> [(name: String, attributes: [String: String])]? {
            let parser = XMLParser(data: Data(svg.utf8)), delegate = Elements()
            parser.delegate = delegate
            return parser.parse() ? delegate.list : nil
        }
    }

    /// How many `name` elements have `className` among their classes.
    static func count(_ svg: String, _ name: String, class className: String) throws -> Int {
        let elements = try #require(Elements.parse(svg), "not well-formed: \(svg)")
        return elements.filter { $0.name == name && ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(className)) }.count
    }

    /// No coordinate came out as NaN or infinity.
    static func numbersAreFinite(_ svg: String) -> Bool {
        svg.range(of: #"[" ,MLml-](nan|inf)"#, options: [.regularExpression, .caseInsensitive]) == nil
    }

    @Test func linesDrawADotPerValueAndBreakAtSuppressedValues() throws {
        let svg = SVGChart.lines(id: "u", title: "Users", labels: ["a", "b", "c", "d", "e"], series: [
            .init(name: "DAU", values: [nil, 6, 7, nil, 9]),
            .init(name: "MAU", values: [12, 12, 14, 15, 15]),
        ], suppressedBelow: 5)
        #expect(try Self.count(svg, "circle", class: "dot") == 8)
        #expect(try Self.count(svg, "path", class: "line") == 2)
        // DAU's line is two pieces (b–c and e); MAU's is one.
        let paths = try #require(Elements.parse(svg)).filter { $0.name == "path" }.compactMap { $0.attributes["d"] }
        #expect(paths.map { $0.filter { $0 == "M" }.count } == [2, 1])
        // A hatched band on each suppressed column, never a point at zero.
        #expect(try Self.count(svg, "rect", class: "suppressed") == 2)
        #expect(svg.contains("viewBox=\"0 0 400 200\""))
        #expect(Self.numbersAreFinite(svg))
    }

    @Test(arguments: [
        ([1, nil, 2, 3], [[0], [2, 3]]),
        ([nil, nil], []),
        ([4, 5, 6], [[0, 1, 2]]),
        ([nil, 1, nil], [[1]]),
    ] as [([Int?], [[Int]])])
    func runsSplitAtGaps(values: [Int?], runs: [[Int]]) {
        #expect(SVGChart.runs(values) == runs)
    }

    @Test func barsStackAndHatchSuppressedColumns() throws {
        let single = SVGChart.bars(id: "m", title: "Messages", labels: ["a", "b", "c", "d"],
                                   series: [.init(name: "m", values: [3, nil, 8, 1])], suppressedText: "<5")
        #expect(try Self.count(single, "rect", class: "bar") == 3)
        #expect(try Self.count(single, "rect", class: "suppressed") == 1)
        #expect(single.contains("&lt;5"))

        let stacked = SVGChart.bars(id: "t", title: "Tokens", labels: ["a", "b", "c"], series: [
            .init(name: "prompt", values: [10, 20, nil]), .init(name: "response", values: [5, 5, 5]),
        ], suppressedText: "<5")
        #expect(try Self.count(stacked, "rect", class: "series-0") == 2)
        #expect(try Self.count(stacked, "rect", class: "series-1") == 2)
        #expect(try Self.count(stacked, "rect", class: "suppressed") == 1)
    }

    @Test func horizontalBarsLabelSuppressedRows() throws {
        let svg = SVGChart.horizontalBars(id: "h", title: "Models", rows: [
            .init(label: "big", value: 120, text: "120"), .init(label: "small", value: nil, text: "<5"),
            .init(label: "none", value: 0, text: "0"),
        ])
        #expect(try Self.count(svg, "g", class: "row") == 3)
        #expect(try Self.count(svg, "rect", class: "bar") == 2)
        #expect(try Self.count(svg, "rect", class: "suppressed") == 1)
        #expect(svg.contains(">&lt;5</text>"))
        // The largest value fills the bar space; a zero is a zero-length bar.
        let widths = try #require(Elements.parse(svg)).filter { $0.attributes["class"]?.hasPrefix("bar") == true }.compactMap { $0.attributes["width"] }
        #expect(widths == ["328", "0"])
    }

    @Test func heatmapShadesByFractionAndGreysSuppressedCells() throws {
        let svg = SVGChart.heatmap(id: "r", title: "Retention", columns: ["0", "1", "2"], rows: [
            .init(label: "2025-01-06 · 10", cells: [
                .init(text: "10", fraction: 1, detail: "10 / 10"), .init(text: "5", fraction: 0.5, detail: "5 / 10"),
                .init(text: "<5", fraction: nil, detail: "<5"),
            ]),
            .init(label: "2025-01-13 · <5", cells: [.init(text: "<5", fraction: nil, detail: "<5")]),
        ])
        #expect(try Self.count(svg, "rect", class: "heat") == 2)
        #expect(try Self.count(svg, "rect", class: "heat-suppressed") == 2)
        let opacities = try #require(Elements.parse(svg)).compactMap { $0.attributes["fill-opacity"] }
        #expect(opacities == ["1", "0.5"])
        #expect(try Self.count(svg, "text", class: "strong") == 1)
    }

    @Test func everyBuilderEscapesNames() throws {
        let svgs = [
            SVGChart.lines(id: "a", title: Self.hostile, labels: [Self.hostile], series: [.init(name: Self.hostile, values: [nil])], suppressedBelow: 5),
            SVGChart.lines(id: "b", title: "t", labels: [Self.hostile], series: [.init(name: Self.hostile, values: [7])], suppressedBelow: 5),
            SVGChart.bars(id: "c", title: Self.hostile, labels: [Self.hostile, "x"],
                          series: [.init(name: Self.hostile, values: [3, nil])], suppressedText: Self.hostile),
            SVGChart.horizontalBars(id: "d", title: Self.hostile, rows: [.init(label: Self.hostile, value: 3, text: Self.hostile)]),
            SVGChart.heatmap(id: "e", title: Self.hostile, columns: [Self.hostile],
                             rows: [.init(label: Self.hostile, cells: [.init(text: Self.hostile, fraction: 0.2, detail: Self.hostile)])]),
        ]
        for svg in svgs {
            #expect(!svg.contains("<script"), "\(svg)")
            #expect(svg.contains("&lt;script&gt;"))
            #expect(Elements.parse(svg) != nil, "not well-formed: \(svg)")
        }
    }

    @Test func emptyChartsAreStillWellFormed() throws {
        for svg in [SVGChart.lines(id: "a", title: "t", labels: [], series: [], suppressedBelow: 5),
                    SVGChart.bars(id: "b", title: "t", labels: [], series: [], suppressedText: "<5"),
                    SVGChart.horizontalBars(id: "c", title: "t", rows: []),
                    SVGChart.heatmap(id: "d", title: "t", columns: [], rows: [])] {
            #expect(Elements.parse(svg) != nil)
            #expect(Self.numbersAreFinite(svg))
        }
    }

    @Test(arguments: [(0, 1, 1), (7, 2, 8), (10, 5, 10), (23, 10, 30), (1234, 500, 1500), (100_000, 50_000, 100_000)])
    func scalesAreRound(maximum: Int, step: Int, top: Int) {
        let scale = SVGChart.Scale(maximum: maximum)
        #expect(scale.step == step && scale.top == top, "\(maximum) → \(scale)")
    }

    @Test(arguments: [(950, "950"), (12_000, "12k"), (12_500, "12.5k"), (250_000, "250k"), (1_200_000, "1.2M")])
    func tickTextIsCompact(n: Int, text: String) {
        #expect(SVGChart.compact(n) == text)
    }
}
