import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Each model's scheduler is a service of the application: its thread and thread pool
/// start with the application (or its first request) and end with it, so building and
/// running many applications, as the tests do, leaves no threads behind.
@Suite struct SchedulerLifecycleTests {
    @Test func theSchedulerStartsAndStopsWithTheApplication() async throws {
        let app = try await TestServer.app()
        let schedulers = app.services.compactMap { $0 as? BatchScheduler }
        #expect(schedulers.count == 1)
        #expect(schedulers.allSatisfy { !$0.isRunning }, "building an application starts no thread")
        try await app.test(.router) { client in
            let body = #"{"model":"tiny","prompt":"Сәлем","max_tokens":3,"temperature":0}"#
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
            }
            #expect(schedulers.allSatisfy { $0.isRunning })
        }
        #expect(schedulers.allSatisfy { !$0.isRunning }, "the thread and its pool ended with the application")
    }
}
