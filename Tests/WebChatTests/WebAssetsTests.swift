import Crypto
import Foundation
import Testing
@testable import WebChat

/// The embedded assets are exactly the files in web/: a change there without
/// `python3 scripts/embed_web.py` fails here.
@Suite struct WebAssetsTests {
    /// The files embed_web.py embeds: the top level of web/, no dotfiles.
    static func webFiles() throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: PackageRoot.web.path)
        var files: [String: Data] = [:]
        for name in names where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let url = PackageRoot.web.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[name] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func generatedFileMatchesWebDirectory() throws {
        let files = try Self.webFiles()
        let stale = "Sources/WebChat/WebAssets.generated.swift is stale: run `python3 scripts/embed_web.py`"
        #expect(Set(files.keys) == Set(WebAssets.byName.keys), "\(stale) (file list differs)")
        for (name, data) in files {
            let asset = try #require(WebAssets.named(name), "\(stale) (\(name) missing)")
            let same = asset.bytes == Array(data) // a Bool, so a failure does not print both files
            #expect(same, "\(stale) (\(name) differs)")
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            #expect(asset.etag == "\"\(digest.prefix(16))\"", "\(name): ETag is not the SHA-256 prefix")
        }
    }

    @Test(arguments: [
        ("index.html", "text/html; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("markdown.js", "text/javascript; charset=utf-8"),
        ("i18n.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ])
    func contentTypes(name: String, type: String) throws {
        #expect(try #require(WebAssets.named(name)).contentType == type)
    }

    @Test func testsAreNotServed() {
        #expect(WebAssets.byName.keys.allSatisfy { !$0.hasPrefix("tests") && !$0.hasSuffix(".mjs") })
    }
}
