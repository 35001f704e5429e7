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
        adjust(&config)
        return config
    }

    static func app(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> some ApplicationProtocol {
        guard let model = tinyModel else { throw TestServerError.modelMissing }
        return try buildApplication(configuration: configuration(adjust), models: [ModelEntry(id: "tiny", model: model)])
    }
}

enum TestServerError: Error { case modelMissing }
