import CairnDeploy
import Testing

@Suite struct StorageURIResolverTests {
    let locations = TableLocations(
        runs: [
            "abc123": "mlflow-artifacts:/1/abc123/artifacts", "s3run": "s3://bucket/exp/s3run/artifacts", "local": "/var/lib/cairn/1/local/artifacts",
        ],
        models: ["m-42": "mlflow-artifacts:/1/models/m-42/artifacts"])

    var resolver: StorageURIResolver { StorageURIResolver(locations: locations) }

    @Test func runsSourcesResolveUnderThePrefix() async {
        #expect(await resolver.resolve(source: "runs:/abc123/model", prefix: "s3://models") == .resolved("s3://models/1/abc123/artifacts/model"))
        #expect(await resolver.resolve(source: "runs:/abc123", prefix: "s3://models") == .resolved("s3://models/1/abc123/artifacts"))
        #expect(
            await resolver.resolve(source: "runs:/abc123//nested/model/", prefix: "gs://b/root")
                == .resolved("gs://b/root/1/abc123/artifacts/nested/model"))
    }

    @Test func loggedModelSourcesResolveToTheModelsArtifacts() async {
        #expect(await resolver.resolve(source: "models:/m-42", prefix: "s3://models") == .resolved("s3://models/1/models/m-42/artifacts"))
        #expect(await resolver.resolve(source: "models:/m-42/sub", prefix: "s3://models") == .resolved("s3://models/1/models/m-42/artifacts/sub"))
    }

    @Test func proxiedArtifactURIsDropTheirScheme() async {
        #expect(
            await resolver.resolve(source: "mlflow-artifacts:/1/abc123/artifacts/model", prefix: "s3://models")
                == .resolved("s3://models/1/abc123/artifacts/model"))
        #expect(
            await resolver.resolve(source: "mlflow-artifacts://cairn:5000/1/x/artifacts", prefix: "pvc://models")
                == .resolved("pvc://models/1/x/artifacts"))
    }

    @Test(arguments: ["s3://bucket/path/model", "gs://bucket/model", "pvc://claim/model"])
    func directURIsAreUsedAsTheyAre(source: String) async {
        #expect(await resolver.resolve(source: source, prefix: "s3://models") == .resolved(source))
        #expect(await resolver.resolve(source: source, prefix: nil) == .resolved(source))
    }

    @Test func runsWhoseArtifactsAreInS3AreUsedDirectly() async {
        #expect(await resolver.resolve(source: "runs:/s3run/model", prefix: nil) == .resolved("s3://bucket/exp/s3run/artifacts/model"))
    }

    @Test func registeredVersionSourcesUseTheStorageLocation() async {
        #expect(
            await resolver.resolve(source: "models:/other/3", storageLocation: "mlflow-artifacts:/1/abc123/artifacts/model", prefix: "s3://models")
                == .resolved("s3://models/1/abc123/artifacts/model"))
        #expect(await resolver.resolve(source: "models:/other/3", prefix: "s3://models").warning?.contains("storage location is unknown") == true)
    }

    @Test func unresolvableSourcesAreWarningsNotFailures() async {
        let cases: [(String, String?, String)] = [
            ("runs:/missing/model", "s3://models", "run 'missing' does not exist"),
            ("models:/m-404", "s3://models", "logged model 'm-404' does not exist"),
            ("runs:/local/model", "s3://models", "cannot download"),
            ("/tmp/model", "s3://models", "cannot download"),
            ("file:///tmp/model", "s3://models", "cannot download"),
            ("runs:/abc123/model", nil, "no storage_uri_prefix"),
            ("mlflow-artifacts:/", "s3://models", "names no path"),
            ("runs:/", "s3://models", "names no run"),
        ]
        for (source, prefix, phrase) in cases {
            let result = await resolver.resolve(source: source, prefix: prefix)
            #expect(result.storageURI == nil, "\(source)")
            #expect(result.warning?.contains(phrase) == true, "\(source): \(String(describing: result.warning))")
        }
    }
}
