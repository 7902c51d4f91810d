import CairnCore
import Testing

struct FilterValidationTests {
    private func message(_ filter: String, _ entity: SearchEntity) -> String? {
        do {
            _ = try FilterExpression.parse(filter, for: entity)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        "metrics.acc > 0.9", "metrics.acc = 1", "metrics.acc != 1", "metrics.acc < 1", "metrics.acc <= 1", "metrics.acc >= -1e3",
        "params.lr = '0.01'", "params.lr != '0.01'", "params.lr LIKE '0.%'", "params.lr ILIKE '0.%'",
        "params.lr IS NULL", "params.lr IS NOT NULL",
        "tags.mlflow.runName = 'x'", "tags.x LIKE 'a%'", "tags.x ILIKE 'A%'", "tags.x IS NULL", "tags.x IS NOT NULL",
        "run_id = 'abc'", "run_id IN ('a', 'b')", "run_id NOT IN ('a')", "run_name LIKE 'cv-%'",
        "status = 'FINISHED'", "status IN ('FAILED', 'KILLED')", "user_id ILIKE 'ALICE'", "artifact_uri LIKE 's3://%'",
        "start_time > 0", "end_time <= 1700000000000", "created > 0", "Created > 0",
        "datasets.name = 'iris'", "datasets.digest IN ('d1')", "datasets.context LIKE 'train%'",
        "attributes.status = 'RUNNING'", "attr.status = 'RUNNING'", "run.status = 'RUNNING'",
    ])
    func runFiltersAcceptEveryDocumentedForm(filter: String) throws {
        #expect(try FilterExpression.parse(filter, for: .runs).clauses.count == 1)
    }

    @Test(arguments: [
        ("\"run name\" = 'x'", "run_name"), ("`Run name` = 'x'", "run_name"), ("`Run Name` = 'x'", "run_name"),
        ("created > 1", "start_time"), ("Created > 1", "start_time"), ("attributes.run_name = 'x'", "run_name"),
    ])
    func runAttributeAliasesResolveToCanonicalNames(filter: String, name: String) throws {
        #expect(try FilterExpression.parse(filter, for: .runs).clauses.first?.key == .attribute(name))
    }

    @Test func quotedMetricValueIsRejected() {
        let text = message("metrics.acc > '0.5'", .runs)
        #expect(text?.contains("Expected numeric value type for metric 'acc' at position 14") == true)
        #expect(text?.contains("'0.5'") == true)
    }

    @Test(arguments: ["params.lr = 0.01", "params.lr > 0.01", "tags.x = 1"])
    func unquotedParamOrTagValueIsRejected(filter: String) {
        #expect(message(filter, .runs)?.contains("Expected a quoted string value for") == true)
    }

    @Test func numericAttributeNeedsANumber() {
        #expect(message("start_time > '5'", .runs)?.contains("Expected numeric value type for attribute 'start_time'") == true)
    }

    @Test func stringAttributeNeedsAQuotedString() {
        #expect(message("status = 1", .runs)?.contains("Expected a quoted string value for attribute 'status'") == true)
    }

    @Test func unknownAttributeIsRejectedWithValidKeys() {
        let text = message("foo = 'x'", .runs)
        #expect(text?.contains("Invalid attribute key 'foo' specified at position 0") == true)
        #expect(text?.contains("'run_id'") == true)
    }

    @Test func attributeNamesAreCaseSensitive() {
        #expect(message("STATUS = 'x'", .runs)?.contains("Invalid attribute key 'STATUS'") == true)
    }

    @Test func unknownDatasetFieldIsRejected() {
        #expect(message("datasets.size = 'x'", .runs)?.contains("Invalid dataset key 'size'") == true)
    }

    @Test(arguments: [
        ("metrics.acc LIKE 1", "Invalid comparator 'LIKE' for metric 'acc'"),
        ("metrics.acc IS NULL", "Invalid comparator 'IS NULL' for metric 'acc'"),
        ("metrics.acc IN ('1')", "Expected numeric value type for metric 'acc'"),
        ("params.lr IN ('a')", "Invalid comparator 'IN' for parameter 'lr'"),
        ("tags.x < 'a'", "Invalid comparator '<' for tag 'x'"),
        ("status > 'a'", "Invalid comparator '>' for attribute 'status'"),
        ("status IS NULL", "Invalid comparator 'IS NULL' for attribute 'status'"),
        ("start_time LIKE 5", "Invalid comparator 'LIKE' for attribute 'start_time'"),
        ("datasets.name > 'a'", "Invalid comparator '>' for dataset 'name'"),
    ])
    func badComparatorForTheKeysTypeIsRejected(filter: String, fragment: String) {
        let text = message(filter, .runs)
        #expect(text?.contains(fragment) == true, "\(text ?? "nil")")
    }

    @Test func likePatternEndingInAnEscapeIsRejected() {
        #expect(message("tags.x LIKE 'a\\\\'", .runs)?.contains("must not end with the escape character") == true)
        #expect(message("tags.x LIKE 'a\\\\\\\\'", .runs) == nil)
    }

    @Test(arguments: [
        "name = 'exp'", "name LIKE 'exp%'", "name ILIKE 'EXP%'", "name != 'x'",
        "experiment_id = '5'", "experiment_id != '5'", "experiment_id IN ('1', '2')", "experiment_id = 5",
        "creation_time > 0", "last_update_time <= 10",
        "tags.team = 'ml'", "tags.team != 'ml'", "tags.team LIKE 'm%'", "tags.team ILIKE 'M%'", "tags.team IS NULL", "tag.team IS NOT NULL",
    ])
    func experimentFiltersAcceptEveryDocumentedForm(filter: String) throws {
        #expect(try FilterExpression.parse(filter, for: .experiments).clauses.count == 1)
    }

    @Test func unquotedExperimentIDIsNormalisedToItsString() throws {
        #expect(try FilterExpression.parse("experiment_id = 7", for: .experiments).clauses.first?.value == .string("7"))
    }

    @Test(arguments: ["experiment_id = 'abc'", "experiment_id IN ('1', 'x')", "experiment_id = 1.5"])
    func nonIntegerExperimentIDIsRejected(filter: String) {
        #expect(message(filter, .experiments)?.contains("expected an integer identifier") == true)
    }

    @Test(arguments: [("metrics.a > 1", "'metric'"), ("params.a = 'x'", "'parameter'"), ("datasets.name = 'x'", "'dataset'")])
    func experimentFiltersRejectRunOnlyKinds(filter: String, kind: String) {
        let text = message(filter, .experiments)
        #expect(text?.contains("Invalid entity type \(kind) at position 0 in experiment filter") == true)
    }

    @Test func experimentFiltersRejectRunAttributes() {
        #expect(message("status = 'x'", .experiments)?.contains("Invalid attribute key 'status'") == true)
    }

    @Test(arguments: [
        "name = 'm'", "name != 'm'", "name LIKE 'm%'", "name ILIKE 'M%'",
        "tags.k = 'v'", "tag.`mlflow.prompt.is_prompt` != 'true'", "tags.k LIKE 'v%'", "tags.k ILIKE 'V%'",
    ])
    func registeredModelFiltersAcceptEveryDocumentedForm(filter: String) throws {
        #expect(try FilterExpression.parse(filter, for: .registeredModels).clauses.count == 1)
    }

    @Test(arguments: [
        ("name IN ('m')", "Invalid comparator 'IN' for attribute 'name'"),
        ("tags.k IS NULL", "Invalid comparator 'IS NULL' for tag 'k'"),
        ("creation_timestamp > 1", "Invalid attribute key 'creation_timestamp'"),
        ("run_id = 'x'", "Invalid attribute key 'run_id'"),
        ("metrics.a > 1", "Invalid entity type 'metric'"),
    ])
    func registeredModelFiltersRejectOtherForms(filter: String, fragment: String) {
        #expect(message(filter, .registeredModels)?.contains(fragment) == true)
    }

    @Test(arguments: [
        "name = 'm'", "name IN ('a', 'b')", "name NOT IN ('a')", "name LIKE 'm%'", "run_id = 'r'", "run_id IN ('r1')",
        "source_path = 's3://x'", "source_path LIKE 's3://%'", "version_number = 1", "version_number > 1",
        "tags.k = 'v'", "tags.k != 'v'", "tag.k LIKE 'v%'",
    ])
    func modelVersionFiltersAcceptEveryDocumentedForm(filter: String) throws {
        #expect(try FilterExpression.parse(filter, for: .modelVersions).clauses.count == 1)
    }

    @Test(arguments: [
        ("source_path IN ('x')", "Invalid comparator 'IN' for attribute 'source_path'"),
        ("version_number = '1'", "Expected numeric value type for attribute 'version_number'"),
        ("tags.k IS NULL", "Invalid comparator 'IS NULL' for tag 'k'"),
        ("status = 'READY'", "Invalid attribute key 'status'"),
    ])
    func modelVersionFiltersRejectOtherForms(filter: String, fragment: String) {
        #expect(message(filter, .modelVersions)?.contains(fragment) == true)
    }

    @Test func loggedModelFiltersAcceptMetricsParamsTagsAndAttributes() throws {
        let filter = "metrics.acc > 0.5 AND params.lr = '0.1' AND tags.t = 'x' AND name = 'm' AND creation_time > 0"
        let parsed = try FilterExpression.parse(filter, for: .loggedModels)
        #expect(parsed.clauses.last?.key == .attribute("creation_timestamp"))
    }

    @Test func validationErrorsAreInvalidParameterValue() {
        #expect(throws: CairnError.invalidParameter("")) {
            try FilterExpression.parse("metrics.acc > 'x'", for: .runs)
        }
    }
}
