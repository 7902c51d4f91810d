import CairnClient
import Testing

@Suite struct ClientErrorTests {
    @Test(arguments: [
        (404, Int32(3)), (401, 4), (403, 4), (409, 5), (412, 5), (429, 7), (502, 7), (503, 7), (504, 7), (400, 1), (500, 1),
    ])
    func everyStatusMapsToItsExitCode(status: Int, exitCode: Int32) {
        #expect(ClientError.forStatus(status, errorCode: nil, message: "m").exitCode == exitCode)
    }

    @Test func theMessageLeadsWithTheServersErrorCode() {
        let error = ClientError.forStatus(404, errorCode: "RESOURCE_DOES_NOT_EXIST", message: "Run 'x' not found")
        #expect(error.description == "RESOURCE_DOES_NOT_EXIST: Run 'x' not found")
        #expect(ClientError(.timedOut, "still waiting").exitCode == 6)
        #expect(ClientError(.usage, "no server").exitCode == 2)
        #expect(ClientError(.interrupted, "Interrupted").exitCode == 130)
    }
}

@Suite struct RetryPolicyTests {
    @Test func waitsGrowAndStayWithinTheCeiling() {
        let policy = RetryPolicy(budget: .seconds(600), initialDelay: .milliseconds(100), maximumDelay: .seconds(2))
        #expect(policy.delay(attempt: 0, elapsed: .zero, retryAfter: nil, random: 0.999)! < .milliseconds(100))
        #expect(policy.delay(attempt: 3, elapsed: .zero, retryAfter: nil, random: 0.999)! > .milliseconds(700))
        #expect(policy.delay(attempt: 30, elapsed: .zero, retryAfter: nil, random: 0.999)! <= .seconds(2))
    }

    @Test func aRetryAfterIsWaitedInFull() {
        let policy = RetryPolicy(budget: .seconds(60))
        #expect(policy.delay(attempt: 0, elapsed: .zero, retryAfter: .seconds(5), random: 0) == .seconds(5))
    }

    @Test func noRetryStartsBeyondTheBudget() {
        let policy = RetryPolicy(budget: .seconds(10))
        #expect(policy.delay(attempt: 0, elapsed: .seconds(9), retryAfter: .seconds(5), random: 0) == nil)
        #expect(RetryPolicy(budget: .zero).delay(attempt: 0, elapsed: .zero, retryAfter: nil, random: 0) == nil)
    }

    @Test func retryAfterParsesSecondsOnly() {
        #expect(RetryPolicy.parseRetryAfter("3") == .seconds(3))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
        #expect(RetryPolicy.isTransient(status: 503) && !RetryPolicy.isTransient(status: 500))
    }
}
