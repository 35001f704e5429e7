import Foundation
import Templates

enum Fixtures {
    /// Package root, found by walking up from this file to the directory with Package.swift.
    static var root: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var templatesDir: URL { root.appendingPathComponent("Tests/Fixtures/templates") }

    static func template(_ name: String) throws -> String {
        try String(contentsOf: templatesDir.appendingPathComponent(name), encoding: .utf8)
    }

    static func templateNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: templatesDir.path).filter { $0.hasSuffix(".jinja") }.sorted()
    }
}
