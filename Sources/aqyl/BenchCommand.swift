import ArgumentParser
import Engine
import Foundation
import Kernels
import Models

/// `aqyl bench`: prompt processing and generation speed, measured as llama-bench does.
///
/// pp: a fresh context evaluates a p-token prompt as one batch.
/// tg: a fresh context generates n tokens one at a time.
/// Each test runs once as warm-up, then `--repetitions` times.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure prompt-processing (pp) and generation (tg) speed like llama-bench.")

    @Option(name: .shortAndLong, help: "A model short name or a GGUF path.")
    var model: String = "smollm2-135m"

    @Option(name: .customShort("p"), help: "Prompt tokens for pp (0 skips).")
    var promptTokens: Int = 512

    @Option(name: .customShort("n"), help: "Generated tokens for tg (0 skips).")
    var generatedTokens: Int = 64

    @Option(name: .shortAndLong, help: "Threads.")
    var threads: Int = 2

    @Option(name: .shortAndLong, help: "Repetitions.")
    var repetitions: Int = 3

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard promptTokens >= 0, generatedTokens >= 0, repetitions >= 1, threads >= 1 else {
            throw ValidationError("-p and -n must be ≥ 0, --repetitions and --threads ≥ 1")
        }
    }

    func run() async throws {
        let options = try ModelOptions.parse(["--model", model, "--threads", "\(threads)"])
        let loaded = try await options.load()
        let transformer = loaded.transformer
        let pool = ThreadPool(threads: threads)
        let vocab = Int32(transformer.config.vocabulary)
        var rng = SystemRandomNumberGenerator()
        func randomTokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32.random(in: 0..<vocab, using: &rng) } }

        func pp() throws -> Double {
            let cache = transformer.makeCache(capacity: promptTokens)
            let tokens = randomTokens(promptTokens)
            let t0 = DispatchTime.now()
            _ = try transformer.forward(tokens, cache: cache, pool: pool, logits: .last)
            return Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        }
        func tg() throws -> Double {
            let cache = transformer.makeCache(capacity: generatedTokens)
            var token = randomTokens(1)[0]
            let t0 = DispatchTime.now()
            for _ in 0..<generatedTokens {
                let logits = try transformer.forward([token], cache: cache, pool: pool, logits: .last)
                token = Int32(Sampler.argmax(logits))
            }
            return Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        }
        var ppRates: [Double] = [], tgRates: [Double] = []
        if promptTokens > 0 {
            _ = try pp()
            for _ in 0..<repetitions { ppRates.append(Double(promptTokens) / (try pp())) }
        }
        if generatedTokens > 0 {
            _ = try tg()
            for _ in 0..<repetitions { tgRates.append(Double(generatedTokens) / (try tg())) }
        }
        let name = URL(fileURLWithPath: loaded.path).lastPathComponent
        let ppMedian = Self.median(ppRates), tgMedian = Self.median(tgRates)
        if json {
            let object: [String: Any] = [
                "model": name, "threads": threads, "pp_tokens": promptTokens, "tg_tokens": generatedTokens,
                "repetitions": repetitions, "pp_tokens_per_s": ppMedian, "tg_tokens_per_s": tgMedian,
                "pp_samples": ppRates, "tg_samples": tgRates,
                "pp_mean": Self.mean(ppRates), "tg_mean": Self.mean(tgRates),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("| model | threads | test | t/s (median) | samples |")
            print("|---|---|---|---|---|")
            if !ppRates.isEmpty {
                print("| \(name) | \(threads) | pp\(promptTokens) | \(String(format: "%.1f", ppMedian)) | \(ppRates.map { String(format: "%.1f", $0) }.joined(separator: ", ")) |")
            }
            if !tgRates.isEmpty {
                print("| \(name) | \(threads) | tg\(generatedTokens) | \(String(format: "%.1f", tgMedian)) | \(tgRates.map { String(format: "%.1f", $0) }.joined(separator: ", ")) |")
            }
        }
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
}
