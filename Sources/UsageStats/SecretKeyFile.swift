import FileContents
import Crypto
import Foundation

/// A server secret kept as a file of 32 random bytes in the data directory, created on
/// first use with mode 0600 (the pseudonym key, the web-identity signing key).
public enum SecretKeyFile {
    public static func load(_ name: String, in directory: URL) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        if let data = FileContents.readIfPresent(url.path), data.count == 32 { return Array(data) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return bytes
    }
}
