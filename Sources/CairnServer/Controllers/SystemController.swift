import CairnArtifacts
import CairnCore
import CairnStore
import Hummingbird
import Logging

/// Liveness, readiness, version and MLflow's `server-info`.
struct SystemController {
    let store: any TrackingStore
    /// The artifact store, checked by `/readyz`.
    var artifacts: (any ArtifactStore)? = nil
    /// Started once migrations are done (`/startupz`), draining once shutdown begins (`/readyz`
    /// fails); nil: the router was built without a lifecycle.
    var startup: ServingState? = nil
    /// The schema version this binary migrates to, which `/readyz` expects the database at (read
    /// from the bundled migrations once, not on every probe); nil: not checked.
    var expectedSchemaVersion: Int? = nil
    /// True when the artifact store hands out presigned URLs (S3 with presigning on): the client
    /// then uploads large files in parts and downloads straight from the bucket.
    let artifactsSupportMultipart: Bool

    func register(_ routes: RouteRegistrar) {
        routes.get("/health", access: .open, health)
        routes.get("/version", version)
        routes.get("/ready", access: .open, ready)
        routes.get("/livez", access: .open, health)
        routes.get("/readyz", access: .open, readyz)
        routes.get("/startupz", access: .open, startupz)
        routes.get("/api/3.0/mlflow/server-info", serverInfo)
        routes.get("/api/cairn/v1/whoami", whoami)
    }

    @Sendable func health(_ request: Request, context: CairnRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "OK")))
    }

    @Sendable func version(_ request: Request, context: CairnRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: CairnVersion.current)))
    }

    /// 200 only when the database answers and the server is not shutting down; 503 otherwise
    /// (the older readiness probe; `/readyz` says why).
    @Sendable func ready(_ request: Request, context: CairnRequestContext) async throws -> Response {
        if let startup, startup.isDraining {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "shutting down")))
        }
        do {
            try await store.ping()
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "READY")))
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "database unavailable")))
        }
    }

    /// Who the server takes the caller for: the principal its token maps to, the scope and the
    /// targets it may promote to (what `cairn doctor` checks).
    @Sendable func whoami(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let principal = try context.actingPrincipal()
        return JSONResponse.object { w in
            w.field("actor", principal.auditName)
            switch principal {
            case .token(let token):
                w.field("authentication", "token")
                w.field("scope", token.scope.rawValue)
                w.array("allowed_targets", token.allowedTargets) { w, target in w.element(target) }
                w.field("expires_at", token.expiresAt)
            case .unauthenticated, .webhook, .promotionWorker:
                w.field("authentication", "none")
                w.field("scope", "admin")
            }
        }
    }

    /// Kubernetes' startup probe: 200 once the schema is migrated and the server is about to
    /// serve, 503 before.
    @Sendable func startupz(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let started = startup?.isStarted ?? true
        return Response(
            status: started ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: started ? "STARTED" : "migrating")))
    }

    /// Kubernetes' readiness probe: the database answers, its schema is at least the one this
    /// binary migrates to, the artifact store answers, and the server is not shutting down; 503 with a JSON reason per failed check.
    @Sendable func readyz(_ request: Request, context: CairnRequestContext) async throws -> Response {
        var failures: [(String, String)] = []
        if let startup, !startup.isStarted { failures.append(("startup", "migrations are not done yet")) }
        if let startup, startup.isDraining { failures.append(("shutdown", "the server is shutting down")) }
        do {
            try await store.ping()
            if let expected = expectedSchemaVersion, let database = (store as? SQLTrackingStore)?.database {
                let current = try await Migrator(logger: context.logger).currentVersion(database)
                // Behind: not migrated yet. Ahead is fine: during a rolling upgrade a newer replica
                // has migrated (migrations only add), and this one serves until it is replaced.
                if current < expected {
                    failures.append(("schema", "the database is at schema version \(current), this server needs \(expected)"))
                }
            }
        } catch {
            context.logger.warning("readiness: database check failed", metadata: ["error": "\(error)"])
            failures.append(("database", "the database does not answer"))
        }
        if let artifacts {
            do {
                _ = try await artifacts.info(try ArtifactPath(validating: "cairn-readiness-probe"))
            } catch {
                context.logger.warning("readiness: artifact store check failed", metadata: ["error": "\(error)"])
                failures.append(("artifacts", "the artifact store does not answer"))
            }
        }
        let writer = JSONWriter.object { w in
            w.field("status", failures.isEmpty ? "ready" : "not ready")
            w.object("failures") { w in for (check, reason) in failures { w.field(check, reason) } }
        }
        return Response(
            status: failures.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
    }

    @Sendable func serverInfo(_ request: Request, context: CairnRequestContext) async throws -> Response {
        JSONResponse.object { w in
            w.field("store_type", "SqlStore")
            w.field("workspaces_enabled", false)
            w.field("trace_archival_enabled", false)
            w.field("multipart_uploads_enabled", artifactsSupportMultipart)
            w.field("multipart_downloads_enabled", artifactsSupportMultipart)
            w.field("presigned_upload_run_id_supported", false)
            w.field("presigned_upload_model_id_supported", false)
            w.object("features_enabled") { w in w.field("gateway", false) }
        }
    }
}
