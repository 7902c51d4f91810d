import CairnSettings
import Testing

@Suite struct ConfigurationReaderTests {
    @Test func flagBeatsEnvironmentWhichBeatsDefault() throws {
        let reader = ConfigurationReader(environment: ["CAIRN_HOST": "0.0.0.0"])
        #expect(reader.resolve(Settings.host, flag: "10.0.0.1")! == ("10.0.0.1", .flag("host")))
        #expect(reader.resolve(Settings.host)! == ("0.0.0.0", .environment("CAIRN_HOST")))
        #expect(ConfigurationReader(environment: [:]).resolve(Settings.host)! == ("127.0.0.1", .defaultValue))
        #expect(ConfigurationReader(environment: [:]).resolve(Settings.targets) == nil)
    }

    @Test func anEmptyVariableCountsAsUnset() {
        let reader = ConfigurationReader(environment: ["CAIRN_PORT": ""])
        #expect(reader.string(Settings.port) == "5000")
    }

    @Test func theFirstSetVariableOfASettingWins() {
        let both = ConfigurationReader(environment: ["CAIRN_S3_ENDPOINT": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://b:2"])
        #expect(both.resolve(Settings.s3Endpoint)! == ("http://a:1", .environment("CAIRN_S3_ENDPOINT")))
        let fallback = ConfigurationReader(environment: ["AWS_ENDPOINT_URL_S3": "http://b:2"])
        #expect(fallback.resolve(Settings.s3Endpoint)! == ("http://b:2", .environment("AWS_ENDPOINT_URL_S3")))
    }

    @Test func aRefusedValueIsNamedByTheVariableItCameFrom() {
        let reader = ConfigurationReader(environment: ["CAIRN_PORT": "99999"])
        #expect {
            _ = try reader.required(Settings.port, in: 0...65535, expected: "a port")
        } throws: { error in
            String(describing: error) == "Invalid CAIRN_PORT '99999': expected a port"
        }
        #expect {
            _ = try reader.required(Settings.port, flag: 70000, in: 0...65535, expected: "a port")
        } throws: { error in
            String(describing: error) == "Invalid --port '70000': expected a port"
        }
    }

    @Test func aRefusedURLDoesNotShowItsPassword() {
        let reader = ConfigurationReader(environment: ["CAIRN_DATABASE_URL": "postgres://cairn:hunter2@db/cairn"])
        #expect {
            _ = try reader.value(Settings.databaseURL, expected: "a URL") { _ -> Int? in nil }
        } throws: { error in
            let message = String(describing: error)
            return !message.contains("hunter2") && message.contains("postgres://cairn:***@db/cairn")
        }
    }

    @Test(arguments: [("true", true), ("1", true), ("YES", true), ("false", false), ("0", false), ("no", false)])
    func booleansAcceptTheUsualSpellings(text: String, expected: Bool) throws {
        #expect(try ConfigurationReader(environment: ["CAIRN_S3_PRESIGN": text]).boolean(Settings.s3Presign) == expected)
    }

    @Test func aBooleanFlagThatIsPresentWins() throws {
        let reader = ConfigurationReader(environment: ["CAIRN_INSECURE_ALLOW_REMOTE": "false"])
        #expect(try reader.boolean(Settings.insecureAllowRemote, flag: true))
        #expect(try !reader.boolean(Settings.insecureAllowRemote))
        #expect(throws: CommandError.self) {
            try ConfigurationReader(environment: ["CAIRN_INSECURE_ALLOW_REMOTE": "maybe"]).boolean(Settings.insecureAllowRemote)
        }
    }

    @Test func durationsParseAndDefaultsApply() throws {
        #expect(try ConfigurationReader(environment: [:]).requiredDuration(Settings.promotionLease) == .seconds(30))
        #expect(try ConfigurationReader(environment: ["CAIRN_PROMOTION_LEASE": "2m"]).requiredDuration(Settings.promotionLease) == .seconds(120))
    }

    @Test func secretsAreNeverShown() {
        #expect(Settings.adminToken.shown("cairn_supersecret") == "(set, hidden)")
        #expect(Settings.host.shown("0.0.0.0") == "0.0.0.0")
        #expect(Settings.databaseURL.shown("sqlite:./x.db") == "sqlite:./x.db")
        #expect(Settings.databaseURL.shown("postgres://u:p@ss@h/db") == "postgres://u:***@h/db")
        #expect(
            Settings.databaseURL.shown("postgres://u:secret@h/db?sslmode=verify-full&sslrootcert=/a@b:c.pem")
                == "postgres://u:***@h/db?sslmode=verify-full&sslrootcert=/a@b:c.pem")
        #expect(Settings.databaseURL.shown("postgres://h/db?sslrootcert=/a:b@c.pem") == "postgres://h/db?sslrootcert=/a:b@c.pem")
    }

    @Test func everySettingHasAUniqueFlagAndVariable() {
        let flags = Settings.all.compactMap(\.flag)
        let variables = Settings.all.flatMap(\.environment)
        #expect(Set(flags).count == flags.count)
        #expect(Set(variables).count == variables.count)
        #expect(Settings.all.allSatisfy { !$0.environment.isEmpty })
    }

    @Test func helpNamesTheVariableAndTheDefault() {
        #expect(Settings.port.help == "Port to listen on (0 to 65535) (env CAIRN_PORT; default 5000)")
    }
}
