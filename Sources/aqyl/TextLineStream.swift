import Foundation

/// Lines of a file or of stdin, read in 1 MiB chunks so corpus files of any size stream in constant memory.
/// Lines come without their "\n" (and without a "\r" before it).
struct TextLineStream {
    private let handle: FileHandle
    private let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private(set) var lineNumber = 0

    /// `path` nil or "-" reads stdin.
    init(path: String?) throws {
        if let path, path != "-" {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot open \(path)") }
            self.handle = handle
            name = path
        } else {
            handle = .standardInput
            name = "stdin"
        }
    }

    mutating func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = try decode(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = try decode(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private mutating func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
        lineNumber += 1
        let body = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
        guard let line = String(validating: body, as: UTF8.self) else {
            throw CLIError("\(name): line \(lineNumber) is not valid UTF-8")
        }
        return line
    }
}

/// Buffered output to a file or stdout.
struct TextOutput {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    /// `path` nil or "-" writes stdout; a file is created or truncated.
    init(path: String?) throws {
        if let path, path != "-" {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
            self.handle = handle
        } else {
            handle = .standardOutput
        }
        buffer.reserveCapacity(1 << 16)
    }

    mutating func writeLine(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
