import Foundation

/// Test fixtures under Tests/Fixtures/corpus.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/corpus")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
