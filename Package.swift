// swift-tools-version: 6.0
import PackageDescription

// Numeric code is far too slow unoptimized, so the hot modules are always
// compiled with optimization, also in the debug build that `swift test` uses.
// `-Ounchecked` (no overflow or bounds traps) only where the inner loops are and a
// measurement showed it matters (docs/reliability.md, "Safe builds"): Kernels, Models,
// Training and Engine. Every module that parses untrusted input
// keeps its checks (`-O`): a malformed file must end in a trap at worst, never in memory
// corruption.
let optimizedSwift: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
let optimizedChecked: [SwiftSetting] = [.unsafeFlags(["-O"])]
let optimizedC: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]

let package = Package(
    name: "Aqyl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aqyl", targets: ["aqyl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Layer 0: file format, no dependencies.
        .target(name: "GGUF", swiftSettings: optimizedChecked),
        // Whole-file reads that do not leak on empty files (Foundation's do). No dependencies.
        .target(name: "FileContents"),
        // Layer 1: SIMD hot spots in C (each with a scalar reference in Kernels).
        .target(name: "CKernels", cSettings: optimizedC),
        .target(name: "Kernels", dependencies: ["GGUF", "CKernels"], swiftSettings: optimizedSwift),
        .target(name: "Tokenizers", dependencies: ["GGUF", .product(name: "HeapModule", package: "swift-collections")], swiftSettings: optimizedChecked),
        .target(name: "Templates"),
        // HTML/SVG text helpers shared by every rendered page and chart. No dependencies.
        .target(name: "Reports"),
        // The public /stats page: figures, charts and the verification section, rendered
        // without a server (the Server module only routes to it).
        .target(name: "StatsPage", dependencies: ["UsageStats", "Reports"]),
        // Layer 2: architectures.
        .target(name: "Models", dependencies: ["GGUF", "Kernels"], swiftSettings: optimizedSwift),
        // Layer 3: generation.
        .target(name: "Engine", dependencies: ["Models", "Tokenizers", "Templates", "Kernels", "GGUF", "StructuredOutput",
                                              .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")], swiftSettings: optimizedSwift),
        // LoRA fine-tuning on frozen quantized weights.
        .target(name: "Training", dependencies: ["Models", "Kernels", "GGUF", "Tokenizers", "Templates", "Engine", "Reports", "FileContents"],
                swiftSettings: optimizedSwift),
        // Adapters from and to other tools: PEFT safetensors, merged GGUF models.
        // Learns new tokens from a corpus and grows a model's vocabulary and embedding.
        .target(name: "VocabExtension", dependencies: ["GGUF", "Kernels", "Tokenizers", "Corpus", .product(name: "HeapModule", package: "swift-collections")],
                swiftSettings: optimizedChecked),
        .target(name: "AdapterInterop", dependencies: ["Models", "Kernels", "GGUF", "FileContents"], swiftSettings: optimizedChecked),
        // JSON Schema for constrained output: the schema compiler and the byte-level matcher.
        .target(name: "StructuredOutput", swiftSettings: optimizedChecked),
        .target(name: "OpenAIAPI", dependencies: ["StructuredOutput"]),
        // Kazakh text tools: readers, cleaning, language ID, dedup, transliteration. No engine dependency.
        .target(name: "Corpus", swiftSettings: optimizedChecked),
        // Evaluation: task loaders, metrics, local and remote scorers, protocol-stamped reports.
        .target(name: "Evaluation", dependencies: [
            "Engine", "Models", "Kernels", "Tokenizers", "OpenAIAPI", "Reports",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        .target(name: "ModelStore", dependencies: ["GGUF", .product(name: "Crypto", package: "swift-crypto")]),
        // Models from a Hugging Face-style hub: `hf:ORG/REPO[:QUANT]`, resumable verified downloads, the hub client's cache.
        .target(name: "ModelHub", dependencies: [
            "GGUF",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Tamper-evident usage ledger: RFC 9162 Merkle tree, signed checkpoints.
        .target(name: "Ledger", dependencies: ["FileContents", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: optimizedChecked),
        // Usage figures under published definitions, recomputable from the ledger.
        .target(name: "UsageStats", dependencies: ["Ledger", "FileContents", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: optimizedChecked),
        // Durable server state (conversations, feedback, API keys) in SQLite.
        .target(name: "Storage", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The same repositories and the usage log on PostgreSQL, shared by replicas.
        .target(name: "PostgresStore", dependencies: [
            "Storage", "Ledger",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The web chat's files (web/), embedded by scripts/embed_web.py.
        .target(name: "WebChat"),
        // Layer 4: the HTTP server.
        .target(name: "Server", dependencies: [
            "Engine", "Models", "OpenAIAPI", "Templates", "Storage", "PostgresStore", "Ledger", "UsageStats", "WebChat", "Reports",
            "StatsPage", "FileContents",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Thin CLI.
        .executableTarget(name: "aqyl", dependencies: [
            "Engine", "ModelStore", "Models", "Tokenizers", "Templates", "GGUF", "Kernels", "Server", "Storage", "PostgresStore",
            "Ledger", "UsageStats",
            "Training", "AdapterInterop", "Corpus", "Evaluation", "VocabExtension", "ModelHub",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer harnesses for every parser of untrusted input (scripts/fuzz.sh), and the
        // driver that runs them: under libFuzzer in the fuzz build, as a corpus replayer otherwise.
        .target(name: "FuzzTargets", dependencies: [
            "GGUF", "Tokenizers", "Templates", "OpenAIAPI", "Engine", "Models", "AdapterInterop", "Corpus", "Ledger",
            "UsageStats", "Training", "ModelStore", "ModelHub", "StructuredOutput",
        ]),
        .executableTarget(name: "aqyl-fuzz", dependencies: ["FuzzTargets"]),
        .target(name: "TestSupport", dependencies: [
            "GGUF", "Kernels", "ModelStore", "Tokenizers", "Storage",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/TestSupport"),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF", "TestSupport"], swiftSettings: optimizedSwift),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "GGUF", "TestSupport"]),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Kernels", "GGUF", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Models", "Kernels", "GGUF", "Tokenizers", "Templates", "TestSupport",
                                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Kernels", "GGUF", "Tokenizers", "Engine", "TestSupport"],
                    swiftSettings: optimizedSwift),
        .testTarget(name: "VocabExtensionTests", dependencies: ["VocabExtension", "Tokenizers", "Kernels", "GGUF", "TestSupport"]),
        .testTarget(name: "AdapterInteropTests", dependencies: ["AdapterInterop", "Models", "Kernels", "GGUF", "TestSupport"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "GGUF"]),
        .testTarget(name: "ModelHubTests", dependencies: [
            "ModelHub", "GGUF", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "OpenAIAPITests", dependencies: ["OpenAIAPI"]),
        .testTarget(name: "StructuredOutputTests", dependencies: ["StructuredOutput"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "FileContentsTests", dependencies: ["FileContents"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Engine", "Models", "Kernels", "GGUF", "Tokenizers", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "PostgresStore", "Ledger", "TestSupport"]),
        .testTarget(name: "UsageStatsTests", dependencies: ["UsageStats", "Ledger"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "WebChatTests", dependencies: ["WebChat", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Engine", "OpenAIAPI", "TestSupport", "Storage", "PostgresStore", "Ledger", "UsageStats", "StatsPage", "Reports",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "Engine", "Models", "Tokenizers", "Templates", "ModelStore", "GGUF", "TestSupport", "Server", "Ledger", "Evaluation",
            "UsageStats", "Storage", "PostgresStore",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
