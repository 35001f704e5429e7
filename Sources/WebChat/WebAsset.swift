import Foundation

/// One file of the web chat (from `web/`), compiled into the binary so that `aqyl serve`
/// needs no files beside it.
public struct WebAsset: Sendable {
    public let name: String
    /// The `Content-Type` header value.
    public let contentType: String
    /// A strong validator, quoted: the first 16 hex digits of the file's SHA-256.
    public let etag: String
    public let bytes: [UInt8]

    /// Decodes the generated base64; the generator wrote both, so a mismatch is a bug.
    init(name: String, contentType: String, etag: String, size: Int, base64: String) {
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters), data.count == size else {
            preconditionFailure("WebAssets.generated.swift is corrupt at \(name): run scripts/embed_web.py")
        }
        self.name = name
        self.contentType = contentType
        self.etag = etag
        self.bytes = Array(data)
    }
}

/// The embedded web chat: `WebAssets.generated.swift` (written by `scripts/embed_web.py`)
/// holds the table.
public enum WebAssets {
    /// Every asset by file name, decoded once on first use.
    public static let byName: [String: WebAsset] = Dictionary(
        table.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    public static func named(_ name: String) -> WebAsset? { byName[name] }
}
