import Foundation

/// Runs a helper command (pip, python's zipfile), forwarding its output line by
/// line and keeping the last lines for error messages.
enum CommandRunner {
    static let keptLines = 8

    /// Runs `argv` (looked up on PATH), merging stdout and stderr.
    /// Blocks the calling thread until the command exits.
    static func run(_ argv: [String], onLine: (String) -> Void) throws {
        let display = argv.joined(separator: " ")
        guard !argv.isEmpty else { throw ModelStoreError.cannotRun(command: display, reason: "empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ModelStoreError.cannotRun(command: display, reason: error.localizedDescription)
        }
        // Our copy of the write end must go, or reading never sees EOF.
        try? pipe.fileHandleForWriting.close()

        let reader = pipe.fileHandleForReading
        var pending: [UInt8] = []
        var last: [String] = []
        func emit(_ bytes: ArraySlice<UInt8>) {
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return }
            onLine(line)
            last.append(line)
            if last.count > keptLines { last.removeFirst(last.count - keptLines) }
        }
        while true {
            let data = reader.availableData
            if data.isEmpty { break }
            pending.append(contentsOf: data)
            // Progress bars redraw with \r; treat it as a line end too.
            var start = pending.startIndex
            for i in pending.indices where pending[i] == 0x0A || pending[i] == 0x0D {
                emit(pending[start..<i])
                start = i + 1
            }
            pending.removeSubrange(pending.startIndex..<start)
        }
        emit(pending[...])
        try? reader.close()
        process.waitUntilExit()

        let status = process.terminationStatus
        guard process.terminationReason == .exit, status == 0 else {
            if process.terminationReason == .exit, status == 127 {
                // `env` could not find the program.
                throw ModelStoreError.cannotRun(command: display, reason: last.last ?? "not found on PATH")
            }
            throw ModelStoreError.commandFailed(command: display, status: status, lastLines: last)
        }
    }
}
