import Foundation
import Yams

/// `aqyl eval compare --config compare.yaml`: which tasks, run how, on which models.
///
/// ```yaml
/// tasks: data/eval/smoke
/// shots: 0
/// limit: 20
/// models:
///   - name: smollm2
///     model: smollm2-135m
///   - name: smollm2+kk
///     model: smollm2-135m
///     lora: [smollm2-kk.gguf]        # PATH[:SCALE]
///   - name: kazllm-8b
///     endpoint: http://gpu-box:8000/v1
///     endpoint_model: KazLLM-8B
///     api_key_env: KAZLLM_KEY
/// ```
public struct CompareConfig: Sendable, Equatable, Decodable {
    public struct Entry: Sendable, Equatable, Decodable {
        public var name: String?
        public var model: String?
        public var lora: [String]?
        public var endpoint: String?
        public var endpointModel: String?
        public var apiKeyEnv: String?

        enum CodingKeys: String, CodingKey {
            case name, model, lora, endpoint
            case endpointModel = "endpoint_model"
            case apiKeyEnv = "api_key_env"
        }

        public init(name: String? = nil, model: String? = nil, lora: [String]? = nil, endpoint: String? = nil,
                    endpointModel: String? = nil, apiKeyEnv: String? = nil) {
            self.name = name
            self.model = model
            self.lora = lora
            self.endpoint = endpoint
            self.endpointModel = endpointModel
            self.apiKeyEnv = apiKeyEnv
        }
    }

    public var tasks: String
    public var shots: Int?
    public var limit: Int?
    public var context: Int?
    public var models: [Entry]

    public init(tasks: String, shots: Int? = nil, limit: Int? = nil, context: Int? = nil, models: [Entry]) {
        self.tasks = tasks
        self.shots = shots
        self.limit = limit
        self.context = context
        self.models = models
    }

    public static func load(path: String) throws -> CompareConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.unreadable(path: path, reason: "cannot read the config file")
        }
        let config: CompareConfig
        do {
            config = try YAMLDecoder().decode(CompareConfig.self, from: text)
        } catch {
            throw EvaluationError.unknownFormat(path: path, reason: "not a compare config (\(error))")
        }
        guard !config.models.isEmpty else { throw EvaluationError.invalidOption("\(path): 'models' is empty") }
        if let shots = config.shots, !(0...25).contains(shots) { throw EvaluationError.invalidOption("\(path): 'shots' must be 0–25") }
        if let limit = config.limit, limit < 1 { throw EvaluationError.invalidOption("\(path): 'limit' must be at least 1") }
        if let context = config.context, context < 16 { throw EvaluationError.invalidOption("\(path): 'context' must be at least 16") }
        for (i, m) in config.models.enumerated() where (m.model == nil) == (m.endpoint == nil) {
            throw EvaluationError.invalidOption("\(path): models[\(i)] needs exactly one of 'model' and 'endpoint'")
        }
        return config
    }
}
