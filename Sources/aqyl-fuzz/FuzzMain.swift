import Foundation
import FuzzTargets

/// `aqyl-fuzz --list` prints the targets. In the fuzz build (scripts/fuzz.sh: linked with
/// libFuzzer, whose `main` runs, and AddressSanitizer) `aqyl-fuzz TARGET [libFuzzer flags]
/// [CORPUS...]` fuzzes one. In an ordinary build `aqyl-fuzz TARGET FILE_OR_DIR...` replays
/// inputs through the harness once each, which is how a finding is reproduced.
enum Driver {
    static let usage = """
        usage: aqyl-fuzz --list
               aqyl-fuzz TARGET FILE_OR_DIR...          (replay inputs once each)
               aqyl-fuzz TARGET [-flags] [CORPUS_DIR]   (fuzz; the libFuzzer build from scripts/fuzz.sh)
        """

    /// Handles `--list` and `--help`, then builds the named target's harness.
    static func prepare(_ arguments: [String]) -> (target: FuzzTarget, harness: @Sendable ([UInt8]) -> Void) {
        guard arguments.count >= 2 else { fail(usage) }
        if arguments[1] == "--list" {
            for target in FuzzTargets.all { print(target.name) }
            exit(0)
        }
        if arguments[1] == "--help" || arguments[1] == "-h" {
            print(usage)
            for target in FuzzTargets.all { print("  \(target.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(target.summary)") }
            exit(0)
        }
        guard let target = FuzzTargets.named(arguments[1]) else {
            fail("unknown fuzz target '\(arguments[1])'; `aqyl-fuzz --list` names them")
        }
        do {
            return (target, try target.prepare())
        } catch {
            fail("cannot prepare \(target.name): \(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("aqyl-fuzz: \(message)\n".utf8))
        exit(2)
    }
}

#if AQYL_LIBFUZZER
/// The harness libFuzzer's callbacks call (a C callback cannot capture context).
nonisolated(unsafe) private var harness: (@Sendable ([UInt8]) -> Void)?

/// libFuzzer calls this before it reads its flags: take the target name out of argv.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let count = Int(argc.pointee)
    guard let args = argv.pointee else { Driver.fail("no arguments") }
    let arguments = (0..<count).map { args[$0].map { String(cString: $0) } ?? "" }
    harness = Driver.prepare(arguments).harness
    for i in 1..<(count - 1) { args[i] = args[i + 1] }
    args[count - 1] = nil
    argc.pointee -= 1
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    harness?(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
@main
enum FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        let (target, harness) = Driver.prepare(arguments)
        let paths = Array(arguments.dropFirst(2))
        guard !paths.isEmpty else {
            Driver.fail("give the inputs to replay (files or directories); to fuzz, use scripts/fuzz.sh \(target.name)")
        }
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { Driver.fail("no such file: \(path)") }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { Driver.fail("cannot read \(file)") }
                harness(Array(data))
                count += 1
            }
        }
        print("\(target.name): replayed \(count) input(s), no failure")
    }
}
#endif
