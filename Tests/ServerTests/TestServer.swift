import Engine
import Foundation
import Hummingbird
@testable import Server
import TestSupport

/// Builds the app in-process on the tiny Llama-3-vocabulary model, with a fresh
/// data directory per call.
enum TestServer {
    static let tinyModel: LoadedModel? = try? LoadedModel(path: FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path)

    static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var config = ServerConfiguration()
        config.threads = 1
        config.context = 128
        config.bodyLimit = 64 << 10
        config.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aqyl-test-data-\(UUID().uuidString)")
        // A known web-identity secret, so tests can hold cookies the server issued.
        try? FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: config.dataDirectory.appendingPathComponent(WebIdentity.keyFileName).path,
                                       contents: Data(webIdentityKey))
        adjust(&config)
        return config
    }

    static let webIdentityKey = [UInt8](repeating: 0x42, count: 32)

    /// The `Cookie` header of a browser the test server issued `uid` to.
    static func cookie(_ uid: String) -> String {
        "aqyl_uid=" + WebIdentity(keyBytes: webIdentityKey).value(for: .browser(uid))
    }

    static func app(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) async throws -> some ApplicationProtocol {
        guard let model = tinyModel else { throw TestServerError.modelMissing }
        return try await buildApplication(configuration: configuration(adjust), models: [ModelEntry(id: "tiny", model: model)])
    }
}

enum TestServerError: Error { case modelMissing }
