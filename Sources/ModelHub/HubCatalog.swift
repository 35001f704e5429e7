/// Hub models Kazakh users ask for by name, with what a user must know before pulling:
/// the license and whether the repo is gated. Nothing here is downloaded until someone
/// runs `aqyl models pull NAME` (or passes the name as `--model`).
public struct HubModel: Sendable, Equatable, Codable {
    public let name: String
    /// The `hf:` reference the name stands for.
    public let reference: String
    public let license: String
    /// True when the hub asks users to accept terms first (then `HF_TOKEN` is needed).
    public let gated: Bool
    /// Approximate download size in bytes.
    public let approximateBytes: Int
    public let summary: String
}

public enum HubCatalog {
    public static let all: [HubModel] = [
        HubModel(
            name: "kazllm-1.0-8b",
            reference: "hf:issai/LLama-3.1-KazLLM-1.0-8B-GGUF4:Q4_K_M",
            license: "ISSAI KazLLM terms (non-commercial; read the model card)",
            gated: true,
            approximateBytes: 4_920_000_000,
            summary: "KazLLM 1.0 8B (Llama-3.1 fine-tuned for Kazakh by ISSAI), Q4_K_M"),
        HubModel(
            name: "qwen2.5-7b-instruct",
            reference: "hf:Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M",
            license: "Apache-2.0",
            gated: false,
            approximateBytes: 4_680_000_000,
            summary: "Qwen2.5 7B Instruct, Q4_K_M (published as a 2-part split GGUF); tools, kk/ru/en"),
        HubModel(
            name: "gemma-3-4b-it",
            reference: "hf:ggml-org/gemma-3-4b-it-GGUF:Q4_K_M",
            license: "Gemma Terms of Use",
            gated: false,
            approximateBytes: 2_490_000_000,
            summary: "Gemma 3 4B instruction-tuned, Q4_K_M; multilingual incl. Kazakh"),
        HubModel(
            name: "llama-3.1-8b-instruct",
            reference: "hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M",
            license: "Llama 3.1 Community License",
            gated: false,
            approximateBytes: 4_920_000_000,
            summary: "Llama 3.1 8B Instruct, Q4_K_M (community GGUF of Meta's gated weights); tools"),
    ]

    public static func model(named name: String) -> HubModel? {
        let key = name.lowercased()
        return all.first { $0.name == key }
    }
}

/// One progress line: `file  1.23/4.92 GB  45.6 MB/s  ETA 1:21`.
public enum HubProgressLine {
    public static func render(file: String, done: Int, total: Int, bytesPerSecond: Double) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let percent = total > 0 ? Int((Double(done) / Double(total) * 100).rounded(.down)) : 100
        var line = "\(name)  \(ByteCount.text(done))/\(ByteCount.text(total)) (\(percent)%)"
        if bytesPerSecond > 0 {
            line += "  \(ByteCount.text(Int(bytesPerSecond)))/s"
            let remaining = Double(max(total - done, 0)) / bytesPerSecond
            if remaining.isFinite, remaining < 1e7 { line += "  ETA \(clock(Int(remaining.rounded(.up))))" }
        }
        return line
    }

    /// `75` → `1:15`, `3725` → `1:02:05`.
    static func clock(_ seconds: Int) -> String {
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }
}
