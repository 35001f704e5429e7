import Foundation
import ModelStore

/// Where a harness finds the real file it needs (a vocabulary, a chat template).
enum InputFile: Sendable {
    /// A committed fixture under `Tests/Fixtures`.
    case fixture(String)
    /// A catalog model fetched by `aqyl models pull` (CI fetches them before the tests).
    case catalogModel(String)

    /// The path, or why it is not there.
    func path() throws -> String {
        switch self {
        case let .fixture(relative):
            let path = Self.packageRoot + "/Tests/Fixtures/" + relative
            guard FileManager.default.fileExists(atPath: path) else { throw FuzzSetupError("fixture \(path) is missing") }
            return path
        case let .catalogModel(name):
            guard let spec = ModelCatalog.spec(named: name) else { throw FuzzSetupError("\(name) is not in the catalog") }
            let path = ModelCache().path(for: spec)
            guard FileManager.default.fileExists(atPath: path) else {
                throw FuzzSetupError("\(name) is not fetched here: run `aqyl models pull \(name)` first")
            }
            return path
        }
    }

    /// The package root: `AQYL_ROOT`, else found by walking up from this source file
    /// (the fuzz binary runs from the checkout it was built in).
    static var packageRoot: String {
        if let root = ProcessInfo.processInfo.environment["AQYL_ROOT"], !root.isEmpty { return root }
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }
}
