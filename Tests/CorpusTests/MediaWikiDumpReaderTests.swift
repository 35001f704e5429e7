import Foundation
import Testing
@testable import Corpus

@Suite struct MediaWikiDumpReaderTests {
    static let abai = """
        Абай Құнанбайұлы (1845—1904) — қазақтың ұлы ақыны, философ, ағартушылық ойдың негізін қалаушы. Ол Семей өңірінде туған.

        Өмірбаяны

        Абай Тобықты руынан шыққан. Әкесі — Құнанбай. Ол медреседе оқып, араб, парсы тілдерін меңгерген.

        Абайдың шығармалары:
        «Қара сөздер»
        «Ескендір» поэмасы
        «Масғұт»

        Аудармалары

        Абай орыс ақындарын аударған: Пушкин & Лермонтов.

        Сыртқы сілтемелер

        Абай мұражайы ресми сайты:
        """
    static let almaty = """
        Алматы — Қазақстандағы ең ірі қала. Халқы ≈ 2\u{00A0}миллион адам.

        Климаты

        Климаты шұғыл континенттік.
        Қысы салқын, жазы ыстық.
        """

    /// The fixture has 6 pages: 2 articles, a redirect, a talk page (ns 1), a template (ns 10) and an empty article.
    @Test(arguments: [7, 64, 1 << 20])
    func sampleDumpExactOutput(chunkSize: Int) throws {
        let reader = MediaWikiDumpReader(try ByteSource(path: Fixture.path("kkwiki-sample.xml"), chunkSize: chunkSize))
        let docs = try reader.readAll()
        #expect(docs.map(\.id) == ["Абай Құнанбайұлы", "Алматы", "Бос бет"])
        #expect(docs.first?.text == Self.abai)
        #expect(docs.dropFirst().first?.text == Self.almaty)
        #expect(docs.last?.text == "")
        #expect(reader.pageCount == 6)
        #expect(reader.skippedRedirects == 1)
        #expect(reader.skippedNamespaces == 2)
    }

    @Test func otherNamespacesCanBeKept() throws {
        let reader = MediaWikiDumpReader(try ByteSource(path: Fixture.path("kkwiki-sample.xml")), namespaces: [0, 1])
        let ids = try reader.readAll().map(\.id)
        #expect(ids.contains("Талқылау:Абай Құнанбайұлы"))
        #expect(!ids.contains("Абай"))
    }

    @Test func unclosedPageIsAnError() {
        let xml = "<mediawiki><page><title>A</title><ns>0</ns><revision><text>abc"
        let reader = MediaWikiDumpReader(ByteSource(string: xml, chunkSize: 5))
        #expect(throws: CorpusError.self) { try reader.readAll() }
    }

    @Test func noPagesIsEmpty() throws {
        let reader = MediaWikiDumpReader(ByteSource(string: "<mediawiki>\n</mediawiki>\n", chunkSize: 3))
        #expect(try reader.readAll().isEmpty)
    }
}

@Suite struct WikiMarkupStripperTests {
    func strip(_ s: String) -> String { WikiMarkupStripper.strip(s) }

    @Test func links() {
        #expect(strip("[[Алматы]] мен [[Астана|елорда]]") == "Алматы мен елорда")
        #expect(strip("[[Алматы (қала)|]] туралы") == "Алматы туралы")
        #expect(strip("бұл [[Сурет:a.png|thumb|[[x]] сипаттама]] мәтін") == "бұл мәтін")
        #expect(strip("a [[Category:X]] [[Санат:Y]] [[en:Almaty]] b") == "a b")
        #expect(strip("[[:Санат:Қалалар]] тізімі") == "Санат:Қалалар тізімі")
    }

    @Test func templatesNestedAndTables() {
        #expect(strip("алды {{a|{{b|c}}|d}} соңы") == "алды соңы")
        #expect(strip("мәтін\n{| class=x\n|-\n| {| \n| ішкі\n|}\n|}\nкейін") == "мәтін\n\nкейін")
        #expect(strip("бір {{ жабылмаған") == "бір {{ жабылмаған")
    }

    @Test func refsCommentsTags() {
        #expect(strip("сөз<ref name=\"a\">{{cite|x}}</ref>.<ref name=b/> келесі<!-- x -->") == "сөз. келесі")
        #expect(strip("<small>кіші</small> <b>қалың</b><br/>жаңа") == "кіші қалың\nжаңа")
        #expect(strip("<math>x^2</math> формула") == "формула")
    }

    @Test func externalLinksAndURLs() {
        #expect(strip("[https://kk.wikipedia.org Уикипедия] және http://x.kz/a?b=c сайты") == "Уикипедия және сайты")
        #expect(strip("[http://x.kz] ғана") == "ғана")
    }

    @Test func quotesHeadingsListsMagicWords() {
        #expect(strip("'''қалың''' мен ''қисық'' және '''''екеуі'''''") == "қалың мен қисық және екеуі")
        #expect(strip("__NOTOC__\n== Тарих ==\nмәтін\n== Бос ==\n{{stub}}") == "Тарих\n\nмәтін")
        #expect(strip("* бір\n** екі\n# үш\n: төрт\n; бес") == "бір\nекі\nүш\nтөрт\nбес")
    }

    @Test func entities() {
        #expect(XMLEntities.decode("&lt;a&gt; &amp;amp; &#1179; &#x49B; &quot;q&quot; &bogus; & x") == "<a> &amp; қ қ \"q\" &bogus; & x")
        #expect(XMLEntities.decode("a&nbsp;b&mdash;c", html: true) == "a\u{00A0}b\u{2014}c")
        #expect(XMLEntities.decode("a&nbsp;b") == "a&nbsp;b")
    }
}

@Suite struct MarkupRobustnessTests {
    /// Random mixes of markup fragments, cut anywhere: the stripper must neither crash nor leave
    /// template or link brackets that were balanced.
    @Test func randomMarkupDoesNotCrash() {
        let pieces = ["{{", "}}", "[[", "]]", "{|", "|}", "|", "<ref>", "</ref>", "<ref name=a/>", "<!--", "-->", "'''", "''",
                      "==", "\n", "* ", "[http://x.kz ", "]", "&amp;", "&#x4", ";", "<", ">", "__TOC__", "Файл:", "Санат:",
                      "қазақ ", "сөз ", " ", "(", ")", "&nbsp;", "<br/>", "https://a.b/c ", ":", "#", "&", "ә"]
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = StableHash.mix(state)
            return Int(state % UInt64(n))
        }
        for _ in 0..<2_000 {
            let text = (0..<next(60)).map { _ in pieces[next(pieces.count)] }.joined()
            let out = WikiMarkupStripper.strip(text)
            #expect(!out.contains("<ref"), "\(text.debugDescription)")
            #expect(!out.hasPrefix("\n") && !out.hasSuffix("\n"))
        }
    }

    @Test func randomBytesThroughTheDumpReader() throws {
        var state: UInt64 = 7
        for round in 0..<200 {
            var bytes = Array("<mediawiki><page><title>T</title><ns>0</ns><revision><text xml:space=\"preserve\">".utf8)
            for _ in 0..<200 {
                state = StableHash.mix(state)
                bytes.append(UInt8(truncatingIfNeeded: state))
            }
            bytes += Array("</text></revision></page></mediawiki>".utf8)
            let reader = MediaWikiDumpReader(ByteSource(bytes: bytes, chunkSize: 1 + round % 17))
            _ = try? reader.readAll()
        }
    }
}
