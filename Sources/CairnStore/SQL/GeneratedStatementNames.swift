import Synchronization

/// The names under which one pool's generated statements are prepared, one per text and kinds of
/// values bound (postgres-nio declares a statement's parameter types from the first call's
/// binds), the same on every connection.
///
/// A prepared statement lives as long as its connection (postgres-nio has no way to drop one),
/// in the PostgreSQL backend and in postgres-nio's table of the connection. So a statement gets a
/// name only when it recurs (its first call runs unprepared: a one-off filter takes no slot), and
/// only the first `capacity` recurring statements of the pool do; any later one runs unprepared,
/// as before. That bounds what prepared statements a client's varied filters can pile up on each
/// connection.
final class GeneratedStatementNames: Sendable {
    /// A text longer than this is never prepared.
    static let longestText = 16 * 1024

    private struct State {
        var names: [String: String] = [:]
        /// Statements seen once, not named yet (emptied when it holds `4 * capacity`).
        var seenOnce: Set<String> = []
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// The name of `sql` with binds of these kinds: assigned at its second call if there is room;
    /// nil when the statement is to run unprepared.
    func name(for sql: String, binds: [SQLValue]) -> String? {
        guard sql.utf8.count <= Self.longestText else { return nil }
        let key = binds.reduce(into: sql + "\u{0}") { key, value in key.append(Self.kind(of: value)) }
        let capacity = self.capacity
        return state.withLock { state in
            if let name = state.names[key] { return name }
            guard state.names.count < capacity else { return nil }
            guard state.seenOnce.remove(key) != nil else {
                if state.seenOnce.count >= 4 * capacity { state.seenOnce.removeAll() }
                state.seenOnce.insert(key)
                return nil
            }
            let name = "cairn_generated_\(state.names.count)"
            state.names[key] = name
            return name
        }
    }

    private static func kind(of value: SQLValue) -> Character {
        switch value {
        case .null: "n"
        case .int: "i"
        case .double: "d"
        case .text: "t"
        case .textArray: "T"
        case .intArray: "I"
        case .doubleArray: "D"
        }
    }
}
