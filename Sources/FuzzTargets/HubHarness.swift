import Foundation
import ModelHub

/// What a hub sends and what users type: `hf:` references and the model-info JSON
/// (file list, sizes, hashes) from which files are picked and cache paths are made.
///
/// Input: the first byte picks the parser. Even: the rest is a reference; an accepted
/// one must print back to itself and hold no path that climbs out of the repo. Odd: the
/// rest is model-info JSON; every file picked must be one the hub listed.
enum HubHarness {
    static let references = ["hf:o/r", "hf:o/r:Q4_K_M", "hf:o/r:Q8_0", "hf:o/r/m.gguf", "hf:o/r:Q6_K"].map { try! HubReference.parse($0) }

    static let target = FuzzTarget(name: "hub-model-info", summary: "hf: references and hub model-info JSON, then file selection") {
        { bytes in
            guard let first = bytes.first else { return }
            let rest = Data(bytes.dropFirst())
            if first % 2 == 0 {
                guard let text = String(data: rest, encoding: .utf8), let ref = try? HubReference.parse(text) else { return }
                precondition((try? HubReference.parse(ref.description)) == ref, "an accepted reference does not print back to itself")
                if case let .file(path) = ref.selector {
                    precondition(!path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty },
                                 "an accepted file path climbs out of the repo")
                }
                return
            }
            guard let info = try? JSONDecoder().decode(HubRepoInfo.self, from: rest) else { return }
            let files = (info.siblings ?? []).map(\.rfilename)
            for ref in references {
                guard let picked = try? HubFileSelection.select(ref, files: files) else { continue }
                precondition(!picked.isEmpty && picked.allSatisfy(files.contains), "selected a file the hub did not list")
            }
        }
    }
}
