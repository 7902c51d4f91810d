import Synchronization

/// Request ids made without a system call: 32 hex digits, the first 16 a random number drawn
/// once per process (so replicas' ids differ), the last 16 a per-process counter passed through
/// splitmix64's finalizer, a bijection, so no two requests of a process share an id while
/// consecutive ids do not look alike in logs. They identify requests; they are not secrets
/// (the per-request `getrandom` calls these replace were 1.3% of the CPU of `GET /version`).
enum RequestIDs {
    private static let process = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return hex(process) + hex(mix(count))
    }

    /// splitmix64's output function: a bijection of the 64-bit integers.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
