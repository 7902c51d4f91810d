/// Why a command cannot go on (a setting that cannot be used, a port already taken), printed as
/// `Error: <message>` with exit status 1 and no usage text: the command line was well formed.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
