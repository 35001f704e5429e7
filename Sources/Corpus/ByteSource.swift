import Foundation

/// Bytes from a file or stdin, read in fixed-size chunks so that inputs of any size stream.
/// The first bytes can be peeked (format and compression sniffing) without being lost.
public final class ByteSource {
    /// The name used in messages (`-` reads as `<stdin>`).
    public let name: String
    private let handle: FileHandle?
    private var pending: [UInt8]
    private let chunkSize: Int
    private var atEnd = false

    /// Opens a file, or stdin for `-`.
    /// - Throws: ``CorpusError`` for a missing file, a directory or an unreadable file.
    public init(path: String, chunkSize: Int = 1 << 20) throws {
        self.chunkSize = max(1, chunkSize)
        pending = []
        if path == "-" {
            name = "<stdin>"
            handle = FileHandle.standardInput
            return
        }
        name = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusError.fileNotFound(path)
        }
        guard !isDirectory.boolValue else { throw CorpusError.notAFile(path) }
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError.unreadable(path, error.localizedDescription)
        }
    }

    /// In-memory bytes (tests), handed out `chunkSize` at a time.
    public init(bytes: [UInt8], name: String = "<memory>", chunkSize: Int = 1 << 20) {
        self.name = name
        handle = nil
        pending = bytes
        self.chunkSize = max(1, chunkSize)
        memoryChunks = true
    }

    public convenience init(string: String, name: String = "<memory>", chunkSize: Int = 1 << 20) {
        self.init(bytes: Array(string.utf8), name: name, chunkSize: chunkSize)
    }

    private var memoryChunks = false

    deinit {
        if let handle, handle !== FileHandle.standardInput { try? handle.close() }
    }

    /// The next chunk, or nil at the end.
    public func read() throws -> [UInt8]? {
        if !pending.isEmpty {
            let n = memoryChunks ? min(chunkSize, pending.count) : pending.count
            let chunk = Array(pending[..<n])
            pending.removeFirst(n)
            return chunk
        }
        return try readFromHandle()
    }

    /// Up to `count` first bytes, kept for the following `read()` calls.
    public func peek(_ count: Int) throws -> [UInt8] {
        while pending.count < count, !memoryChunks, let more = try readFromHandle() {
            pending += more
        }
        return Array(pending.prefix(count))
    }

    private func readFromHandle() throws -> [UInt8]? {
        guard let handle, !atEnd else { return nil }
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw CorpusError.unreadable(name, error.localizedDescription)
        }
        guard let data, !data.isEmpty else {
            atEnd = true
            return nil
        }
        return [UInt8](data)
    }
}
