import Foundation
import Storage
import Testing
import TestSupport

/// The deployment recipe (deploy/haproxy.cfg, docs/deploy.md), tested with Debian's
/// `haproxy` (which .ci/run installs) in front of two real `aqyl serve` replicas: one is
/// killed with SIGKILL in the middle of a load through HAProxy, driven by the official
/// `openai` client (scripts/haproxy_failover_check.py). Every non-streamed request
/// succeeds, every stream completes or ends with an error the client sees, none hangs.
@Suite(.serialized) struct HAProxyDeployTests {
    static var config: String { ServePeerTests.packageRoot.appendingPathComponent("deploy/haproxy.cfg").path }
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }

    /// Debian's haproxy is in /usr/sbin, which a non-root PATH may lack.
    static func haproxy() throws -> String {
        let path = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(path, "haproxy is missing: .ci/run installs Debian's `haproxy` (apt-get install -y haproxy)")
    }

    /// `haproxy -c` on the committed config with these environment variables.
    static func validate(_ haproxy: String, _ environment: [String]) throws -> (status: Int32, output: String) {
        try ServePeerTests.run("env", environment + [haproxy, "-c", "-f", config])
    }

    @Test func theConfigValidates() throws {
        let haproxy = try Self.haproxy()
        let addresses = ["AQYL_LB_BIND=127.0.0.1:18080", "AQYL_REPLICA_1=127.0.0.1:18081", "AQYL_REPLICA_2=127.0.0.1:18082"]
        let plain = try Self.validate(haproxy, addresses)
        #expect(plain.status == 0, "\(plain.output)")
        #expect(plain.output.contains("Configuration file is valid"), "\(plain.output)")
        #expect(!plain.output.contains("WARNING"), "\(plain.output)")

        // The production branch: privileges dropped, chroot (Debian's package makes /var/lib/haproxy).
        let dropped = try Self.validate(haproxy, addresses + ["AQYL_LB_USER=root"])
        #expect(dropped.status == 0, "\(dropped.output)")

        // The TLS branch, with a throwaway self-signed certificate (when openssl is there).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-haproxy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let key = dir.appendingPathComponent("key.pem").path, cert = dir.appendingPathComponent("cert.pem").path
            let made = try ServePeerTests.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                                          "-out", cert, "-days", "1", "-subj", "/CN=aqyl.test"])
            try #require(made.status == 0, "\(made.output)")
            let pem = dir.appendingPathComponent("aqyl.pem")
            let chainAndKey = try Data(contentsOf: URL(fileURLWithPath: cert)) + Data(contentsOf: URL(fileURLWithPath: key))
            try chainAndKey.write(to: pem)
            let tls = try Self.validate(haproxy, addresses + ["AQYL_LB_TLS_BIND=127.0.0.1:18443", "AQYL_LB_TLS_CERT=\(pem.path)"])
            #expect(tls.status == 0, "\(tls.output)")
        }
    }

    @Test(.timeLimit(.minutes(5))) func killingAReplicaBehindHAProxy() async throws {
        let haproxy = try Self.haproxy()
        let check = try ServePeerTests.run("python3", ["-c", "import openai"])
        try #require(check.status == 0, "the `openai` Python package is missing (.ci/run installs it): \(check.output)")
        let script = ServePeerTests.packageRoot.appendingPathComponent("scripts/haproxy_failover_check.py").path
        var arguments = [script, "--aqyl", Self.aqyl, "--model", "smollm2-135m", "--haproxy", haproxy,
                         "--requests", "24", "--concurrency", "6"]
        // On the shared PostgreSQL store too, when the test server is configured: replica 2
        // takes the log's sequencer lock when replica 1 (the sequencer) is killed.
        if let url = ProcessInfo.processInfo.environment[PostgresTestDatabase.environmentVariable], !url.isEmpty {
            arguments += ["--database", try await PostgresTestDatabase.fresh().testURL]
        }
        let result = try ServePeerTests.run("python3", arguments)
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(#""ok": true"#), "\(result.output)")
    }
}
