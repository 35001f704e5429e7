import Foundation
import FuzzTargets
#if AQYL_LIBFUZZER
import CLibFuzzer
#endif

/// `aqyl-fuzz --list` prints the targets; `aqyl-fuzz TARGET [libFuzzer flags] [CORPUS...]`
/// fuzzes one (in the fuzz build from scripts/fuzz.sh, linked with libFuzzer and
/// AddressSanitizer); in an ordinary build `aqyl-fuzz TARGET FILE_OR_DIR...` replays
/// inputs through the harness once each, which is how a finding is reproduced.
@main
enum FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else { fail(usage) }
        if arguments[1] == "--list" {
            for target in FuzzTargets.all { print(target.name) }
            return
        }
        if arguments[1] == "--help" || arguments[1] == "-h" {
            print(usage)
            for target in FuzzTargets.all { print("  \(target.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(target.summary)") }
            return
        }
        guard let target = FuzzTargets.named(arguments[1]) else {
            fail("unknown fuzz target '\(arguments[1])'; `aqyl-fuzz --list` names them")
        }
        let harness: @Sendable ([UInt8]) -> Void
        do {
            harness = try target.prepare()
        } catch {
            fail("cannot prepare \(target.name): \(error)")
        }
        #if AQYL_LIBFUZZER
        Fuzzing.harness = harness
        // libFuzzer sees argv without the target name.
        var argv: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
        var argc = Int32(argv.count - 1)
        argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress
            exit(LLVMFuzzerRunDriver(&argc, &base) { data, size in
                Fuzzing.harness?(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
                return 0
            })
        }
        #else
        replay(harness, paths: Array(arguments.dropFirst(2)), target: target.name)
        #endif
    }

    static let usage = """
        usage: aqyl-fuzz --list
               aqyl-fuzz TARGET FILE_OR_DIR...          (replay inputs once each)
               aqyl-fuzz TARGET [-flags] [CORPUS_DIR]   (fuzz; the libFuzzer build from scripts/fuzz.sh)
        """

    /// Runs every file (directories: every file inside, sorted) through the harness.
    static func replay(_ harness: ([UInt8]) -> Void, paths: [String], target: String) {
        guard !paths.isEmpty else { fail("give the inputs to replay (files or directories); to fuzz, use scripts/fuzz.sh \(target)") }
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("no such file: \(path)") }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                harness(Array(data))
                count += 1
            }
        }
        print("\(target): replayed \(count) input(s), no failure")
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("aqyl-fuzz: \(message)\n".utf8))
        exit(2)
    }
}

#if AQYL_LIBFUZZER
/// The harness libFuzzer's C callback calls (it cannot capture context).
enum Fuzzing {
    nonisolated(unsafe) static var harness: (@Sendable ([UInt8]) -> Void)?
}
#endif
