import ArgumentParser
import Engine
import Foundation
import Kernels
import Models

/// `aqyl bench`: prompt processing and generation speed, measured as llama-bench does.
///
/// pp: a fresh context evaluates a p-token prompt as one batch.
/// tg: a fresh context generates n tokens one at a time.
/// -d: both run with the KV cache already holding d tokens (llama-bench's
/// `-d`); the depth is filled once per test, untimed, and the cache is cut
/// back to it before each run.
/// Each test runs once as warm-up, then `--repetitions` times.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure prompt-processing (pp) and generation (tg) speed like llama-bench.")

    @Option(name: .shortAndLong, help: "A model short name, a hub reference (hf:ORG/REPO[:QUANT]) or a GGUF path.")
    var model: String = "smollm2-135m"

    @Option(name: .customShort("p"), help: "Prompt tokens for pp (0 skips).")
    var promptTokens: Int = 512

    @Option(name: .customShort("n"), help: "Generated tokens for tg (0 skips).")
    var generatedTokens: Int = 64

    @Option(name: .customShort("d"), help: "Tokens already in the KV cache when pp and tg are measured (llama-bench -d).")
    var depth: Int = 0

    @Option(name: .shortAndLong, help: "Threads.")
    var threads: Int = 2

    @Option(help: NumericsOption.help)
    var numerics: NumericsOption = .fast

    @Option(name: .shortAndLong, help: "Repetitions.")
    var repetitions: Int = 3

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard promptTokens >= 0, generatedTokens >= 0, depth >= 0, repetitions >= 1, threads >= 1 else {
            throw ValidationError("-p, -n and -d must be ≥ 0, --repetitions and --threads ≥ 1")
        }
        guard threads <= 256, repetitions <= 1000, promptTokens <= 1 << 20, generatedTokens <= 1 << 20, depth <= 1 << 24 else {
            throw ValidationError("--threads ≤ 256, --repetitions ≤ 1000, -p and -n ≤ 1048576, -d ≤ 16777216")
        }
    }

    func run() async throws {
        let options = try ModelOptions.parse(["--model", model, "--threads", "\(threads)", "--numerics", numerics.rawValue])
        let loaded = try await options.load()
        let transformer = loaded.transformer
        let longest = depth + max(promptTokens, generatedTokens)
        guard longest <= transformer.config.contextLength else {
            throw CLIError("-d \(depth) plus \(max(promptTokens, generatedTokens)) tokens exceeds the model's context of \(transformer.config.contextLength)")
        }
        let pool = ThreadPool(threads: threads)
        let vocab = Int32(transformer.config.vocabulary)
        var rng = SystemRandomNumberGenerator()
        func randomTokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32.random(in: 0..<vocab, using: &rng) } }

        /// A cache holding `depth` random tokens (filled once), cut back to the depth on each use.
        func depthCache(extra: Int) throws -> KVCache {
            let cache = transformer.makeCache(capacity: depth + extra)
            var start = 0
            while start < depth {   // in llama-bench's default batch of 512
                let n = min(512, depth - start)
                _ = try transformer.forward(randomTokens(n), cache: cache, pool: pool, logits: .none)
                start += n
            }
            return cache
        }
        let ppCache = promptTokens > 0 ? try depthCache(extra: promptTokens) : nil
        let tgCache = generatedTokens > 0 ? try depthCache(extra: generatedTokens) : nil

        func pp() throws -> Double {
            let cache = ppCache!
            cache.truncate(to: depth)
            let tokens = randomTokens(promptTokens)
            let t0 = DispatchTime.now()
            _ = try transformer.forward(tokens, cache: cache, pool: pool, logits: .last)
            return Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        }
        func tg() throws -> Double {
            let cache = tgCache!
            cache.truncate(to: depth)
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
                "model": name, "threads": threads, "depth": depth, "numerics": numerics.rawValue, "pp_tokens": promptTokens, "tg_tokens": generatedTokens,
                "repetitions": repetitions, "pp_tokens_per_s": ppMedian, "tg_tokens_per_s": tgMedian,
                "pp_samples": ppRates, "tg_samples": tgRates,
                "pp_mean": Self.mean(ppRates), "tg_mean": Self.mean(tgRates),
                "kernels": DotKernels.kernelSet,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let at = depth > 0 ? " @ d\(depth)" : ""
            print("kernels: \(DotKernels.kernelSet)")
            print("| model | threads | numerics | test | t/s (median) | samples |")
            print("|---|---|---|---|---|---|")
            if !ppRates.isEmpty {
                print("| \(name) | \(threads) | \(numerics.rawValue) | pp\(promptTokens)\(at) | \(String(format: "%.1f", ppMedian)) | \(ppRates.map { String(format: "%.1f", $0) }.joined(separator: ", ")) |")
            }
            if !tgRates.isEmpty {
                print("| \(name) | \(threads) | \(numerics.rawValue) | tg\(generatedTokens)\(at) | \(String(format: "%.1f", tgMedian)) | \(tgRates.map { String(format: "%.1f", $0) }.joined(separator: ", ")) |")
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
