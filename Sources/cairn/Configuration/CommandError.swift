/// Why a command cannot go on (a setting that cannot be used, a port already taken), printed as
/// `Error: <message>` with exit status 1 and no usage text: the command line was well formed.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
