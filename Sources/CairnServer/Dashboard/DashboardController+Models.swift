import CairnCore
import CairnPromotion
import CairnStore
import Foundation
import Hummingbird

extension DashboardController {
    /// Runs side by side: one chart per metric with a line per run, params with differing values
    /// marked. Up to 100 runs (`/compare?runs=a,b,c`).
    @Sendable func compare(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let ids = Array(DashboardFormat.list(request.query("runs")).prefix(100))
        let options = try ChartOptions(request)
        let tracking = self.tracking
        // The runs are read at once (a few connections each), in the URL's order.
        let loaded = try await withThrowingTaskGroup(of: (Int, Run).self) { group in
            for (index, id) in ids.enumerated() { group.addTask { (index, try await tracking.run(id: id)) } }
            return try await group.reduce(into: [Int: Run]()) { $0[$1.0] = $1.1 }
        }
        let runs = ids.indices.compactMap { loaded[$0] }
        func label(_ run: Run) -> String { run.info.runName.isEmpty ? String(run.info.runID.prefix(8)) : run.info.runName }
        let wanted = runs.flatMap { run in Set(run.metrics.map(\.key)).sorted().map { SeriesKey(runID: run.info.runID, key: $0) } }
        var series: [SeriesKey: [Metric]] = [:]
        if options.x == .relative && options.range != nil {
            // A relative zoom is a different time range in each run.
            for run in runs {
                let mine = wanted.filter { $0.runID == run.info.runID }
                series.merge(
                    try await tracking.metricCharts(
                        mine, axis: .time, buckets: Self.chartBuckets, range: options.storeRange(runStart: run.info.startTime))
                ) { a, _ in a }
            }
        } else {
            series = try await tracking.metricCharts(wanted, axis: options.x.storeAxis, buckets: Self.chartBuckets, range: options.range)
        }
        var charts: [[String: Any]] = []
        let axis = options.x.storeAxis
        for key in Set(runs.flatMap { $0.metrics.map(\.key) }).sorted() {
            var lines: [SVGLineChart.Series] = []
            let drawn = runs.filter { run in run.metrics.contains(where: { $0.key == key }) }
            let buckets = Self.compareBuckets(lines: drawn.count)
            for run in drawn {
                var points = series[SeriesKey(runID: run.info.runID, key: key)] ?? []
                if buckets < Self.chartBuckets {
                    points = M4Downsampling.reduce(points, buckets: buckets, x: { axis == .step ? $0.step : $0.timestamp }, value: \.value)
                }
                lines.append(.init(name: label(run), points: points.map { (options.xValue($0, runStart: run.info.startTime), $0.value) }))
            }
            charts.append(["key": key, "svg": Self.chart(lines, options, log: options.logKeys.contains(key)).render()])
        }
        let paramValues = runs.map { run in Dictionary(run.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        let params = Set(paramValues.flatMap(\.keys)).sorted().map { key -> [String: Any] in
            let cells = paramValues.map { $0[key] ?? "—" }
            return ["key": key, "differs": Set(cells).count > 1, "cells": cells.map { ["value": $0] }]
        }
        // Parallel coordinates: the params whose values differ, then the latest metrics (up to 16 axes).
        let latest = runs.map { run in Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        let differing = params.filter { ($0["differs"] as? Bool) == true }.compactMap { $0["key"] as? String }
        let metricKeys = Set(runs.flatMap { $0.metrics.map(\.key) }).sorted()
        let dimensions =
            differing.map { key in SVGParallelCoordinates.Dimension(name: key, values: paramValues.map { $0[key] }) }
            + metricKeys.map { key in
                SVGParallelCoordinates.Dimension(name: key, values: latest.map { values in values[key].map { "\($0)" } })
            }
        let parallel = SVGParallelCoordinates(lines: runs.map(label), dimensions: Array(dimensions.prefix(16))).render()
        return try await render(
            context, "compare",
            [
                "title": "Compare \(runs.count) runs", "runs": runs.map { ["id": $0.info.runID, "name": label($0)] },
                "params": params, "hasParams": !params.isEmpty, "charts": charts, "empty": runs.isEmpty, "parallel": parallel,
                "chartTools": options.toolbar([("runs", ids.joined(separator: ","))], path: "/compare"),
            ])
    }

    @Sendable func models(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let query = (request.query("q") ?? "").filter { $0 != "'" && $0 != "\\" }
        let page = try await registry.searchRegisteredModels(
            RegistrySearchRequest(
                filter: query.isEmpty ? nil : "name ILIKE '%\(query)%'", orderBy: ["name ASC"], maxResults: 200, pageToken: request.query("page")))
        return try await render(
            context, "models",
            [
                "title": "Models", "q": query,
                "models": page.items.map { model -> [String: Any] in
                    [
                        "name": model.name, "link": "/models/\(DashboardFormat.pathComponent(model.name))",
                        "latest": model.latestVersions.map(\.version).max().map(String.init) ?? "",
                        "aliases": model.aliases.map { ["alias": $0.alias, "version": $0.version] },
                        "updated": DashboardFormat.time(model.lastUpdatedTimestamp),
                    ]
                },
                "empty": page.items.isEmpty,
                "next": page.nextPageToken.map { "/models?" + DashboardFormat.query([("q", query), ("page", $0)].filter { !$0.1.isEmpty }) } as Any,
            ])
    }

    /// A model: its versions (paged, newest first), aliases, tags, lineage to the source run, and
    /// per promotion target what serves it now.
    @Sendable func model(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let name = try required(context.parameters.get("name"), "name")
        let model: RegisteredModel = try await registry.registeredModel(name: name)
        let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        let versions = try await registry.searchModelVersions(
            RegistrySearchRequest(filter: "name = '\(quoted)'", orderBy: ["version_number DESC"], maxResults: 50, pageToken: request.query("page")))
        let ledger = try await promotion?.deployments(target: nil, model: name, limit: 200) ?? []
        var seen = Set<String>()
        let serving = ledger.filter { seen.insert($0.target).inserted }
        return try await render(
            context, "model",
            [
                "title": name, "name": name, "description": model.description,
                "aliases": model.aliases.map { ["alias": $0.alias, "version": $0.version] },
                "tags": model.tags.map { ["key": $0.key, "value": $0.value] },
                "versions": versions.items.map { version -> [String: Any] in
                    [
                        "version": version.version, "created": DashboardFormat.time(version.creationTimestamp),
                        "stage": version.currentStage.rawValue,
                        "source": version.source, "runID": version.runID, "hasRun": !version.runID.isEmpty,
                        "aliases": version.aliases.joined(separator: ", "),
                    ]
                },
                "serving": serving.map { deployment -> [String: Any] in
                    var row = DashboardFormat.deployment(deployment)
                    // A rollback button where there is an earlier deployment and the viewer may
                    // promote to the target (the service checks again when it is pressed).
                    row["mayRollBack"] =
                        deployment.status == .ready && deployment.previousDeploymentID != nil
                        && (context.principal?.mayPromote(to: deployment.target) ?? false)
                    row["rollbackAction"] = "/models/\(DashboardFormat.pathComponent(name))/rollback"
                    return row
                },
                "hasServing": !serving.isEmpty, "inFlight": serving.contains { [.pending, .applying, .waiting].contains($0.status) },
                "next": versions.nextPageToken.map { "/models/\(DashboardFormat.pathComponent(name))?page=\(DashboardFormat.pathComponent($0))" }
                    as Any,
            ])
    }

    /// The model page's rollback button (form field `target`): rolls the target back to the
    /// deployment before its current one, on behalf of the signed-in token (or anyone with auth
    /// off), then shows the ledger of that target, where the new entry is in flight.
    @Sendable func rollback(_ request: Request, context: CairnRequestContext) async throws -> Response {
        _ = try required(context.parameters.get("name"), "name")
        guard let promotion else { throw CairnError.notFound("No promotion targets are configured on this server") }
        let form = Self.formFields(String(buffer: try await request.body.collect(upTo: Self.maximumFormSize)))
        guard let target = form["target"], !target.isEmpty else { throw CairnError.invalidParameter("Missing value for required parameter 'target'") }
        _ = try await promotion.rollback(target: target, by: try context.actingPrincipal())
        return Self.redirect(to: "/deployments?" + DashboardFormat.query([("target", target)]))
    }
}
