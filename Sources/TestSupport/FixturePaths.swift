import Foundation
import ModelStore

/// Locates committed fixtures and fetched models for tests.
public enum FixturePaths {
    /// `<package root>/Tests/Fixtures`, found by walking up from this source file.
    public static var fixturesRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Tests/Fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "Tests/Fixtures")
    }

    public static func fixture(_ relative: String) -> URL { fixturesRoot.appendingPathComponent(relative) }

    /// The package root (the directory holding Package.swift).
    public static var packageRoot: URL { fixturesRoot.deletingLastPathComponent().deletingLastPathComponent() }

    /// Path of a fetched catalog model. Tests that need it fail (not skip) when
    /// it is missing, because CI fetches every model before running tests.
    public static func model(_ name: String) -> String {
        let cache = ModelCache()
        guard let spec = ModelCatalog.spec(named: name) else { return cache.root + "/" + name }
        return cache.path(for: spec)
    }
}
