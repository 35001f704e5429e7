import Foundation
import Testing

/// Runs the web chat's JavaScript tests (`node --test web/tests/`: the Markdown renderer
/// against hostile model output, SSE parsing, translation tables) as part of `swift test`,
/// so the README's test command covers them.
@Suite struct WebChatRendererTests {
    /// `node` from PATH, or nil.
    static func findNode() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("node")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    @Test func nodeTestsPass() throws {
        guard let node = Self.findNode() else {
            Issue.record("node is not on PATH: install Node.js 20+ to run the web chat tests (web/tests/)")
            return
        }
        let process = Process()
        process.executableURL = node
        process.arguments = ["--test", "web/tests/"]
        process.currentDirectoryURL = PackageRoot.url
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read before waiting: a full pipe would otherwise block node forever.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "node --test web/tests/ failed:\n\(text.suffix(6000))")
    }
}
