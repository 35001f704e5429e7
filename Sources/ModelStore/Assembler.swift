import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Concatenates downloaded part files into one model file while hashing it,
/// and verifies size and SHA-256 before the file becomes visible.
///
/// The output is written to `<destination>.partial` and renamed onto
/// `destination` (atomically, replacing any old file) only after both checks
/// pass; on any failure the partial file is deleted.
public enum ModelAssembler {
    /// Bytes read and hashed per step.
    public static let chunkSize = 8 << 20

    /// Assembles `parts` (in order) into `destination`.
    ///
    /// - Parameter progress: called after every chunk with (bytes done, bytes expected).
    /// - Returns: the lowercase hex SHA-256 of the assembled file.
    @discardableResult
    public static func assemble(
        name: String, parts: [String], destination: String,
        expectedSize: Int, expectedSHA256: String,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> String {
        let partial = destination + ".partial"
        var done = false
        defer { if !done { unlink(partial) } }

        let fm = FileManager.default
        unlink(partial)
        guard fm.createFile(atPath: partial, contents: nil) else {
            throw ModelStoreError.io(path: partial, reason: "cannot create file")
        }
        let out: FileHandle
        do { out = try FileHandle(forWritingTo: URL(fileURLWithPath: partial)) } catch {
            throw ModelStoreError.io(path: partial, reason: "cannot open for writing: \(error.localizedDescription)")
        }
        var hasher = SHA256()
        var total = 0
        do {
            defer { try? out.close() }
            for part in parts {
                let input: FileHandle
                do { input = try FileHandle(forReadingFrom: URL(fileURLWithPath: part)) } catch {
                    throw ModelStoreError.io(path: part, reason: "cannot open for reading: \(error.localizedDescription)")
                }
                defer { try? input.close() }
                while true {
                    let chunk: Data
                    do { chunk = try input.read(upToCount: chunkSize) ?? Data() } catch {
                        throw ModelStoreError.io(path: part, reason: "read failed: \(error.localizedDescription)")
                    }
                    if chunk.isEmpty { break }
                    hasher.update(data: chunk)
                    do { try out.write(contentsOf: chunk) } catch {
                        throw ModelStoreError.io(path: partial, reason: "write failed: \(error.localizedDescription)")
                    }
                    total += chunk.count
                    progress(total, expectedSize)
                }
            }
            do { try out.synchronize() } catch {
                throw ModelStoreError.io(path: partial, reason: "sync failed: \(error.localizedDescription)")
            }
        }

        guard total == expectedSize else {
            throw ModelStoreError.sizeMismatch(name, expected: expectedSize, got: total)
        }
        let got = hex(hasher.finalize())
        guard got == expectedSHA256.lowercased() else {
            throw ModelStoreError.hashMismatch(name, expected: expectedSHA256.lowercased(), got: got)
        }
        guard rename(partial, destination) == 0 else {
            throw ModelStoreError.io(path: destination, reason: "cannot rename from .partial: \(String(cString: strerror(errno)))")
        }
        done = true
        return got
    }

    /// Lowercase hex SHA-256 of a whole file, read in ``chunkSize`` steps.
    public static func sha256(ofFile path: String) throws -> String {
        let input: FileHandle
        do { input = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw ModelStoreError.io(path: path, reason: "cannot open for reading: \(error.localizedDescription)")
        }
        defer { try? input.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do { chunk = try input.read(upToCount: chunkSize) ?? Data() } catch {
                throw ModelStoreError.io(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
