import Foundation

/// Locates committed fixtures and fetched models for tests.
public enum FixturePaths {
    /// `<package root>/Tests/Fixtures`, found by walking up from this source file.
    public static var fixturesRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Tests/Fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "Tests/Fixtures")
    }

    public static func fixture(_ relative: String) -> URL { fixturesRoot.appendingPathComponent(relative) }

    /// The model cache root, as ModelStore resolves it.
    public static var modelsRoot: String {
        let env = ProcessInfo.processInfo.environment
        if let m = env["AQYL_MODELS"], !m.isEmpty { return m }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/aqyl/models" }
        return NSHomeDirectory() + "/.cache/aqyl/models"
    }

    /// Path of a fetched real model; tests that need it fail (not skip) when it is missing,
    /// because CI fetches every model before running tests.
    public static func model(_ name: String) -> String {
        let files = [
            "smollm2-135m": "SmolLM2-135M-Instruct.Q4_1.gguf",
            "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
            "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        ]
        return modelsRoot + "/" + name + "/" + (files[name] ?? name + ".gguf")
    }
}
