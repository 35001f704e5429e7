import FileContents
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An append-only file of framed records: `[u32 LE length][payload][u32 LE CRC-32(payload)]`.
///
/// `append` returns only after the record is on disk (fdatasync), so an
/// acknowledged record survives kill -9 and power loss. A crash mid-write
/// leaves a torn tail — a frame cut short, or a last frame whose checksum
/// fails — which `open` detects and truncates to the last complete record,
/// reporting how many bytes it cut. A bad frame *followed by* good data is not
/// a crash artefact but damage, and `open` refuses with ``LedgerError/corrupt``.
public final class RecordLog: @unchecked Sendable {
    // @unchecked: the descriptor is only written under `lock`.
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    public private(set) var count: Int
    public private(set) var byteSize: Int

    /// What `open` found.
    public struct Opened {
        public var log: RecordLog
        public var records: [[UInt8]]
        /// Bytes of a torn tail that were cut off (0 when the file was clean).
        public var truncatedBytes: Int
    }

    private init(path: String, fd: Int32, count: Int, byteSize: Int) {
        self.path = path
        self.fd = fd
        self.count = count
        self.byteSize = byteSize
    }

    deinit { close(fd) }

    public static func open(path: String) throws(LedgerError) -> Opened {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot open \(path): \(String(cString: strerror(errno)))") }
        let parsed: Parsed
        do {
            parsed = try parse(try contents(of: path), path: path)
        } catch {
            close(fd)
            throw error
        }
        if parsed.tornBytes > 0 {
            guard ftruncate(fd, off_t(parsed.cleanBytes)) == 0, fsync(fd) == 0 else {
                close(fd)
                throw .io("cannot truncate the torn tail of \(path): \(String(cString: strerror(errno)))")
            }
        }
        let log = RecordLog(path: path, fd: fd, count: parsed.records.count, byteSize: parsed.cleanBytes)
        return Opened(log: log, records: parsed.records, truncatedBytes: parsed.tornBytes)
    }

    /// The records of a log file, read only: a torn tail is reported, never cut, and the
    /// file is never created or written (what a verifier needs: it must not change what it checks).
    public static func read(path: String) throws(LedgerError) -> Parsed {
        try parse(try contents(of: path), path: path)
    }

    /// Complete records, and the torn tail after them (if any).
    public struct Parsed {
        public var records: [[UInt8]]
        /// Bytes up to the end of the last complete record.
        public var cleanBytes: Int
        /// Bytes of a torn tail after it (0 when the file is clean).
        public var tornBytes: Int
    }

    private static func contents(of path: String) throws(LedgerError) -> [UInt8] {
        do {
            return Array(try FileContents.read(path))
        } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Parses log bytes (`path` names the file in errors); never touches the file system.
    public static func parse(_ data: [UInt8], path: String) throws(LedgerError) -> Parsed {
        var records: [[UInt8]] = []
        var offset = 0
        var tornAt: Int?
        while offset < data.count {
            guard data.count - offset >= 8 else { tornAt = offset; break }
            let length = Int(readU32(data, offset))
            guard length <= data.count - offset - 8 else { tornAt = offset; break }
            let payload = Array(data[(offset + 4)..<(offset + 4 + length)])
            let stored = readU32(data, offset + 4 + length)
            if stored != CRC32.checksum(payload) {
                if offset + 8 + length == data.count { tornAt = offset; break }
                throw .corrupt(path: path, offset: offset, reason: "checksum mismatch in a record followed by more data")
            }
            records.append(payload)
            offset += 8 + length
        }
        let clean = tornAt ?? data.count
        return Parsed(records: records, cleanBytes: clean, tornBytes: data.count - clean)
    }

    /// Appends one record durably; returns its index.
    @discardableResult
    public func append(_ payload: [UInt8]) throws(LedgerError) -> Int {
        try append(contentsOf: [payload])
    }

    /// Appends records with one write and one sync (bulk imports, group commit);
    /// returns the index of the last one.
    @discardableResult
    public func append(contentsOf payloads: [[UInt8]]) throws(LedgerError) -> Int {
        var frame = [UInt8]()
        frame.reserveCapacity(payloads.reduce(0) { $0 + $1.count + 8 })
        for payload in payloads {
            Self.appendU32(&frame, UInt32(payload.count))
            frame += payload
            Self.appendU32(&frame, CRC32.checksum(payload))
        }
        lock.lock()
        defer { lock.unlock() }
        var written = 0
        while written < frame.count {
            let n = frame[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // Cut what part of the frame made it, so the file stays a sequence of whole records.
                _ = ftruncate(fd, off_t(byteSize))
                throw .io("cannot append to \(path): \(reason)")
            }
            written += n
        }
        guard fdatasync(fd) == 0 else { throw .io("cannot sync \(path): \(String(cString: strerror(errno)))") }
        byteSize += frame.count
        count += payloads.count
        return count - 1
    }

    /// Empties the file (durably): what a spool does once its records are delivered.
    public func removeAll() throws(LedgerError) {
        lock.lock()
        defer { lock.unlock() }
        guard ftruncate(fd, 0) == 0, fsync(fd) == 0 else {
            throw .io("cannot empty \(path): \(String(cString: strerror(errno)))")
        }
        byteSize = 0
        count = 0
    }

    private static func readU32(_ d: [UInt8], _ at: Int) -> UInt32 {
        UInt32(d[at]) | UInt32(d[at + 1]) << 8 | UInt32(d[at + 2]) << 16 | UInt32(d[at + 3]) << 24
    }

    private static func appendU32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}

/// CRC-32 (IEEE 802.3, the zlib one), table-driven.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
