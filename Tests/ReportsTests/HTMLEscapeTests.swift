import Reports
import Testing

@Suite struct HTMLEscapeTests {
    @Test func escapesMarkupAndBothQuotes() {
        #expect(HTMLEscape.escape(#"<a href="x" title='y'>Ақыл & co</a>"#)
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Ақыл &amp; co&lt;/a&gt;")
    }

    @Test func plainTextIsUnchanged() {
        #expect(HTMLEscape.escape("Қазақ тілі — 2026") == "Қазақ тілі — 2026")
        #expect(HTMLEscape.escape("") == "")
    }
}
