import Foundation

/// Writes a line to stderr (progress, timings, errors): stdout carries only results.
func printErr(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// Writes to stdout without a newline and flushes, for streaming text.
func printStreaming(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// An input error: reported as one line `aqyl: error: ...` and exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// The index of the first command-line argument that is not valid UTF-8, if any.
/// Swift repairs invalid argv bytes silently; we refuse them instead.
func firstInvalidUTF8Argument() -> Int? {
    for i in 0..<Int(CommandLine.argc) {
        guard let c = CommandLine.unsafeArgv[i] else { continue }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), count: strlen(c))
        if String(validating: bytes, as: UTF8.self) == nil { return i }
    }
    return nil
}
