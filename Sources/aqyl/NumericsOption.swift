import ArgumentParser
import Models

/// `--numerics`: which arithmetic the engine runs.
enum NumericsOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Aqyl's fast kernels (interleaved weights); within the tolerances of docs/parity.md.
    case fast
    /// Bit for bit what llama.cpp's AVX2 CPU backend computes (same kernels, same summation order).
    case llama

    var kernels: MatmulKernels {
        switch self {
        case .fast: .fast
        case .llama: .llamaCppDefault
        }
    }

    static let help = ArgumentHelp(
        "fast (default): Aqyl's interleaved kernels; llama: bit-identical to llama.cpp's AVX2 CPU backend (docs/parity.md).",
        valueName: "fast|llama")
}
