import CairnArtifacts
import CairnCore
import CairnStore
import Foundation
import Hummingbird

extension DashboardController {
    /// The runs of an experiment: a page of the search, columns for the params and latest metrics
    /// named in the URL (`params=lr,depth&metrics=loss`), sortable, filtered with MLflow's grammar
    /// (its errors shown inline in the server's words), paged with the search's token.
    @Sendable func experiment(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let id = try required(context.parameters.get("id"), "id")
        // The experiment is read while the search runs (an unknown id still answers 404).
        async let experimentRead: Experiment = tracking.experiment(id: id)
        let filter = (request.query("filter") ?? "").trimmingCharacters(in: .whitespaces)
        let order = request.query("order") ?? "attributes.start_time DESC"
        let metricColumns = DashboardFormat.list(request.query("metrics"))
        let paramColumns = DashboardFormat.list(request.query("params"))
        var runs: [RunTableRow] = []
        var nextPage: String?
        var filterError: String?
        do {
            // Only the chosen columns are read, whatever else the runs logged (12,000 metric
            // keys in an experiment cost nothing here); pages are keyset tokens.
            let page = try await tracking.searchRunTable(
                RunSearchRequest(
                    experimentIDs: [id], filter: filter.isEmpty ? nil : filter, orderBy: [order], maxResults: 100,
                    pageToken: request.query("page")),
                metricKeys: metricColumns, paramKeys: paramColumns)
            runs = page.items
            nextPage = page.nextPageToken
        } catch let error as CairnError {
            filterError = error.message
        }
        let experiment = try await experimentRead
        // The first run's keys that are not columns yet, offered as one-click additions.
        var offered: (metrics: [String], params: [String]) = ([], [])
        if let first = runs.first { offered = try await tracking.runKeys(runID: first.info.runID, limit: 60) }
        let seenMetrics = offered.metrics.filter { !metricColumns.contains($0) }
        let seenParams = offered.params.filter { !paramColumns.contains($0) }
        func link(metrics: [String] = metricColumns, params: [String] = paramColumns, order: String = order, page: String? = nil) -> String {
            var items = [
                ("filter", filter), ("order", order), ("metrics", metrics.joined(separator: ",")), ("params", params.joined(separator: ",")),
            ]
            if let page { items.append(("page", page)) }
            return "/experiments/\(DashboardFormat.pathComponent(id))?" + DashboardFormat.query(items.filter { !$0.1.isEmpty })
        }
        func sortLink(_ column: String) -> String {
            link(order: order == "\(column) DESC" ? "\(column) ASC" : "\(column) DESC")
        }
        let rows = runs.map { run -> [String: Any] in
            let (metrics, params) = (run.metrics, run.params)
            return [
                "id": run.info.runID, "name": run.info.runName.isEmpty ? String(run.info.runID.prefix(8)) : run.info.runName,
                "status": run.info.status.rawValue, "started": DashboardFormat.time(run.info.startTime),
                "duration": DashboardFormat.duration(run.info.startTime, run.info.endTime),
                "params": paramColumns.map { ["value": params[$0] ?? ""] },
                "metrics": metricColumns.map { ["value": metrics[$0].map(DashboardFormat.number) ?? ""] },
            ]
        }
        return try await render(
            context, "experiment",
            [
                "title": experiment.name, "experiment": ["id": experiment.id, "name": experiment.name],
                "filter": filter, "order": order, "metricsText": metricColumns.joined(separator: ","),
                "paramsText": paramColumns.joined(separator: ","), "filterError": filterError as Any,
                "paramHeaders": paramColumns.map { column in
                    ["name": column, "sort": sortLink("params.`\(column)`"), "remove": link(params: paramColumns.filter { $0 != column })]
                },
                "metricHeaders": metricColumns.map { column in
                    ["name": column, "sort": sortLink("metrics.`\(column)`"), "remove": link(metrics: metricColumns.filter { $0 != column })]
                },
                "startedSort": sortLink("attributes.start_time"),
                "addMetrics": seenMetrics.prefix(30).map { ["name": $0, "link": link(metrics: metricColumns + [$0])] },
                "addParams": seenParams.prefix(30).map { ["name": $0, "link": link(params: paramColumns + [$0])] },
                "hasAddMetrics": !seenMetrics.isEmpty, "hasAddParams": !seenParams.isEmpty,
                "runs": rows, "hasRuns": !rows.isEmpty, "empty": rows.isEmpty && filterError == nil,
                "next": nextPage.map { link(page: $0) } as Any,
            ])
    }

    /// One run: info, params, tags, a chart per metric (M4-reduced in the store), artifacts with
    /// download links, and the model versions registered from it.
    @Sendable func run(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let id = try required(context.parameters.get("id"), "id")
        let run: Run = try await tracking.run(id: id)
        let options = try ChartOptions(request)
        let path = "/runs/\(DashboardFormat.pathComponent(id))"
        var charts: [[String: Any]] = []
        let keys = Set(run.metrics.map(\.key)).sorted()
        let series = try await tracking.metricCharts(
            keys.map { SeriesKey(runID: id, key: $0) }, axis: options.x.storeAxis, buckets: Self.chartBuckets,
            range: options.storeRange(runStart: run.info.startTime))
        for key in keys {
            let points = series[SeriesKey(runID: id, key: key)] ?? []
            let log = options.logKeys.contains(key)
            let chart = Self.chart(
                [.init(name: key, points: points.map { (options.xValue($0, runStart: run.info.startTime), $0.value) })], options, log: log)
            let toggled = log ? options.logKeys.subtracting([key]) : options.logKeys.union([key])
            charts.append(["key": key, "svg": chart.render(), "log": log, "toggle": path + "?" + options.query(log: toggled)])
        }
        let versions = try await registry.searchModelVersions(
            RegistrySearchRequest(filter: "run_id = '\(id.filter { $0.isLetter || $0.isNumber })'", orderBy: [], maxResults: 100, pageToken: nil)
        ).items
        let artifactList = try await artifactEntries(run)
        let tags = run.tags.filter { !$0.key.hasPrefix("mlflow.") }
        return try await render(
            context, "run",
            [
                "title": run.info.runName.isEmpty ? id : run.info.runName,
                "run": [
                    "id": id, "name": run.info.runName, "experimentID": run.info.experimentID, "status": run.info.status.rawValue,
                    "user": run.info.userID, "started": DashboardFormat.time(run.info.startTime),
                    "duration": DashboardFormat.duration(run.info.startTime, run.info.endTime), "artifactURI": run.info.artifactURI,
                ],
                "params": run.params.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
                "tags": tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }, "hasTags": !tags.isEmpty,
                "hasParams": !run.params.isEmpty, "hasMetrics": !run.metrics.isEmpty,
                "metrics": run.metrics.sorted { $0.key < $1.key }.map {
                    ["key": $0.key, "value": DashboardFormat.number($0.value), "step": $0.step]
                },
                "charts": charts, "chartTools": options.toolbar([], path: path),
                "artifacts": artifactList, "hasArtifacts": !artifactList.isEmpty, "hasVersions": !versions.isEmpty,
                "versions": versions.map { ["name": $0.name, "version": $0.version, "link": "/models/\(DashboardFormat.pathComponent($0.name))"] },
            ])
    }

    /// A chart of `series` drawn as `options` say (axis, its labels, smoothing), `log` scaled.
    static func chart(_ series: [SVGLineChart.Series], _ options: ChartOptions, log: Bool = false) -> SVGLineChart {
        var chart = SVGLineChart(series: series, logScale: log)
        chart.smoothing = options.smoothing
        switch options.x {
        case .step: break
        case .wall: (chart.xLabel, chart.xFormat) = ("time (UTC)", .wallTime)
        case .relative: (chart.xLabel, chart.xFormat) = ("time since start", .duration)
        }
        return chart
    }

    /// The top level of a run's artifacts, with links to the artifact proxy.
    private func artifactEntries(_ run: Run) async throws -> [[String: Any]] {
        let scheme = "mlflow-artifacts:"
        guard run.info.artifactURI.hasPrefix(scheme) else { return [] }
        let root = run.info.artifactURI.dropFirst(scheme.count).drop { $0 == "/" }
        guard let path = try? ArtifactPath(validating: String(root)) else { return [] }
        let entries = (try? await artifacts.list(path)) ?? []
        return entries.prefix(200).map { entry in
            [
                "name": String(entry.path.dropFirst(path.value.count + 1)) + (entry.isDirectory ? "/" : ""), "isDirectory": entry.isDirectory,
                "size": entry.size.map(ByteCount.format) ?? "",
                "link": ArtifactsController.prefix + "/"
                    + entry.path.split(separator: "/").map { DashboardFormat.pathComponent(String($0)) }.joined(separator: "/"),
            ]
        }
    }
}
