import Foundation

/// The package root, found from this file's path, so tests can read `web/`.
enum PackageRoot {
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // WebChatTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent()

    static var web: URL { url.appendingPathComponent("web") }
}
