import Foundation
import Reports
import UsageStats

/// The definitions and "check it yourself": the checkpoint, the key and the commands.
/// Shown on every page, the empty one included, so the log can be pinned from day one.
extension StatsPageView {
    /// ``Definitions/texts`` keys in reading order; keys added later follow, by name.
    static let definitionOrder = ["user", "dau", "new_returning", "conversations", "messages", "channels",
                                  "retention", "excluded", "suppression"]

    var definitions: String {
        let texts = Definitions.texts[model.language.rawValue] ?? Definitions.texts["en"] ?? [:]
        let keys = Self.definitionOrder.filter { texts[$0] != nil } + texts.keys.filter { !Self.definitionOrder.contains($0) }.sorted()
        var out = #"<section class="card definitions" id="definitions" aria-labelledby="definitions-title">"#
        out += #"<h2 id="definitions-title">\#(e(text.definitionsTitle))</h2>"#
        out += #"<p class="muted small">\#(e(text.fill(text.definitionsVersion, ["version": Definitions.version])))</p><dl>"#
        for key in keys {
            out += "<dt>\(e(text.definitionHeadings[key] ?? key))</dt><dd>\(e(texts[key] ?? ""))</dd>"
        }
        return out + "</dl></section>\n"
    }

    var verification: String {
        let base = model.baseURL, size = model.logSize
        let key = HTMLText.shellQuoted(model.verifierKey)
        var out = #"<section class="card verify" id="verify" aria-labelledby="verify-title">"#
        out += #"<h2 id="verify-title">\#(e(text.verifyTitle))</h2>"#
        out += "<p>\(e(text.fill(text.verifyIntro, ["size": text.format(size)])))</p>"
        out += "<h3>\(e(text.checkpointTitle))</h3>"
        if let checkpoint = model.checkpoint {
            out += #"<pre class="checkpoint">\#(e(checkpoint))</pre>"#
        } else {
            out += #"<p class="notice">\#(e(text.checkpointUnavailable))</p>"#
        }
        out += "<h3>\(e(text.keyTitle))</h3>"
        out += #"<pre class="key"><code>\#(e(model.verifierKey))</code></pre><p class="muted small">\#(e(text.keyHint))</p>"#
        out += "<h3>\(e(text.commandTitle))</h3><p>\(e(text.commandHint))</p>"
        let verify = "aqyl stats verify --url \(HTMLText.shellQuoted(base)) --trust \(key)"
        out += #"<pre class="command"><code>\#(e(verify))</code></pre>"#
        out += "<p>\(e(text.stateHint))</p>"
        out += #"<pre class="command"><code>\#(e(verify + " \\\n    --state aqyl-stats-checkpoint.txt"))</code></pre>"#
        out += "<h3>\(e(text.curlTitle))</h3><p>\(e(text.curlHint))</p>"
        let routes = ["/stats/key", "/stats/checkpoint", "/stats/definitions",
                      "/stats/figures?size=\(size)&from=\(model.report.from)&to=\(model.report.to)",
                      "/stats/entries?start=0&end=\(size)", "/stats/checkpoints"]
            + (size > 0 ? ["/stats/proof/inclusion?index=0&size=\(size)"] : [])
        let curls = routes.map { "curl " + HTMLText.shellQuoted(base + $0) }.joined(separator: "\n")
        out += #"<pre class="command"><code>\#(e(curls))</code></pre>"#
        return out + "</section>\n"
    }
}
