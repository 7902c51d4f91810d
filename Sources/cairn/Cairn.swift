import ArgumentParser
import CairnClient
import CairnCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `cairn` command: the server and its maintenance commands, and the client commands that
/// talk to a running server over its HTTP API.
///
/// Exit status, for every command: 0 success; 1 the operation failed; 2 usage error; 3 not
/// found; 4 not authenticated or not allowed; 5 conflict; 6 timed out; 7 server unreachable or
/// unavailable after retries; 130 interrupted.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Experiment tracking and model registry, wire-compatible with MLflow.",
        discussion: """
            Exit status: 0 success, 1 the operation failed, 2 usage error, 3 not found, 4 not authenticated \
            or not allowed, 5 conflict, 6 timed out, 7 server unreachable or unavailable after retries, 130 interrupted.
            """,
        version: CairnVersion.current,
        subcommands: [
            Serve.self, Migrate.self, Tokens.self, GC.self, Config.self,
            ExperimentsCommand.self, RunsCommand.self, MetricsCommand.self, ModelsCommand.self, PromoteCommand.self, RollbackCommand.self,
            DeploymentsCommand.self, TargetsCommand.self, AuditCommand.self, ArtifactsCommand.self, DoctorCommand.self, LoginCommand.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Glibc.exit(error.exitCode)
        } catch {
            // Argument errors exit 2 (ArgumentParser's default is 64); help and --version exit 0.
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
