import CairnCore
import Testing

/// A model version's `source` read as MLflow 3.17's server reads it (issue 12, family 8).
struct ModelVersionSourceTests {
    @Test(arguments: [
        ("models:/m-abc", ModelVersionSource.ModelsURI.loggedModel(id: "m-abc")),
        ("models:/anything", .loggedModel(id: "anything")),
        ("models:/name/3", .version(name: "name", version: 3)),
        ("models:/name/Latest", .latest(name: "name")),
        ("models:/name/Production", .stage(name: "name", stage: "Production")),
        ("models:/name@champ", .alias(name: "name", alias: "champ")),
    ])
    func parsesModelsURIsAsMLflow(source: String, expected: ModelVersionSource.ModelsURI) {
        #expect(ModelVersionSource.parseModelsURI(source) == expected)
    }

    @Test(arguments: ["models:/", "models:/a/b/c", "models:/a/", "models:/name@", "models://host/a/1", "s3://b/x"])
    func refusesWhatMLflowCannotParse(source: String) {
        #expect(ModelVersionSource.parseModelsURI(source) == nil)
    }

    @Test(arguments: [
        "s3://b/../x", "s3://b/a%2f..%2fx", "s3://b/a%252f..%252fx", "s3://b/x%00", "s3://b/./x", "s3://b", "runs:/id/../x",
    ])
    func findsRelativeReferences(source: String) {
        #expect(ModelVersionSource.hasRelativeReferences(source))
    }

    @Test(arguments: ["s3://b/x", "s3://b/x/", "s3://b//x", "runs:/abc/model", "models:/name/1", "mlflow-artifacts:/1/r/artifacts/m", "gs://b/a+b"])
    func acceptsNormalSources(source: String) {
        #expect(!ModelVersionSource.hasRelativeReferences(source))
    }

    @Test func refusesHostAddressedSchemesNamingTheField() {
        for source in ["http://h/m", "HTTPS://h/m", "ftp://h/m", "mlflow-artifacts://h/m"] {
            let error = #expect(throws: CairnError.self) { try ArtifactLocation.refuseHostAddressedScheme(source, parameter: "source") }
            #expect(error?.message.hasPrefix("'source' cannot use the '") == true)
        }
        #expect(throws: Never.self) { try ArtifactLocation.refuseHostAddressedScheme("mlflow-artifacts:/1/x", parameter: "source") }
        #expect(throws: Never.self) { try ArtifactLocation.refuseHostAddressedScheme("s3://b/x", parameter: "source") }
    }
}
