/// Every setting Cairn reads, in the order the README lists them. Commands take their flags'
/// names and help from here and read values through ``ConfigurationReader``.
public enum Settings {
    public static let host = Setting(flag: "host", environment: ["CAIRN_HOST"], default: "127.0.0.1", "address to listen on")
    public static let port = Setting(flag: "port", environment: ["CAIRN_PORT"], default: "5000", "port to listen on (0 to 65535)")
    public static let databaseURL = Setting(
        flag: "database-url", environment: ["CAIRN_DATABASE_URL"], default: "sqlite:./cairn-data/cairn.db",
        "`sqlite:PATH` or `postgres://[user[:pass]@]host[:port]/db[?sslmode=…&sslrootcert=…&prepared_statements=false&parallel_query=true]` (see below)",
        visibility: .urlWithPassword)
    public static let artifactsURI = Setting(
        flag: "artifacts-uri", environment: ["CAIRN_ARTIFACTS_URI"], default: "./cairn-data/artifacts",
        "artifact store: a local directory, or `s3://bucket/prefix` (then the S3 settings below apply)")
    public static let logLevel = Setting(
        flag: "log-level", environment: ["CAIRN_LOG_LEVEL"], default: "info", "log level: trace, debug, info, notice, warning or error")
    public static let logFormat = Setting(
        flag: "log-format", environment: ["CAIRN_LOG_FORMAT"], default: "text",
        "`text` for a terminal, or `json`: one JSON object per line, and one `request` line per request at `info` (route, status, duration, token name, request id)"
    )
    public static let auth = Setting(flag: "auth", environment: ["CAIRN_AUTH"], default: "none", "authentication: `none` or `token` (see Security)")
    public static let insecureAllowRemote = Setting(
        flag: "insecure-allow-remote", environment: ["CAIRN_INSECURE_ALLOW_REMOTE"], unset: "off",
        "allow `--auth none` on a non-loopback `--host` (the variable takes `true`)")
    public static let adminToken = Setting(
        environment: ["CAIRN_ADMIN_TOKEN"],
        "installs an admin token named `admin-env` with this secret (at least 32 characters) at start", visibility: .secret)
    public static let rateLimit = Setting(
        flag: "rate-limit", environment: ["CAIRN_RATE_LIMIT"], unset: "off",
        "requests per second per token (at least 50; bursts of twice that); over it: 429 with `Retry-After`")
    public static let tlsCert = Setting(
        flag: "tls-cert", environment: ["CAIRN_TLS_CERT"], "PEM certificate chain; HTTPS instead of HTTP (needs `--tls-key`)")
    public static let tlsKey = Setting(flag: "tls-key", environment: ["CAIRN_TLS_KEY"], "PEM private key for `--tls-cert`")
    public static let targets = Setting(
        flag: "targets", environment: ["CAIRN_TARGETS"], unset: "unset (no targets: promotions answer 404)",
        "promotion targets YAML (see Promotion); a malformed file, an unreadable kubeconfig or an unset `webhook_secret_env` variable stops start-up naming the target and field"
    )
    public static let webhookSecret = Setting(
        environment: ["CAIRN_WEBHOOK_SECRET"],
        "secret signing CI webhook calls for targets without their own `webhook_secret_env`; with neither, the webhook answers 403",
        visibility: .secret)
    public static let promotionLease = Setting(
        flag: "promotion-lease", environment: ["CAIRN_PROMOTION_LEASE"], default: "30s",
        "how long an in-flight promotion outlives a replica that stopped renewing it before another replica (or the restarted one) takes it over"
    )
    public static let promotionPollInterval = Setting(
        flag: "promotion-poll-interval", environment: ["CAIRN_PROMOTION_POLL_INTERVAL"], default: "1s",
        "how often a rollout's readiness is read")
    public static let statementTimeout = Setting(
        flag: "statement-timeout", environment: ["CAIRN_STATEMENT_TIMEOUT"], default: "10s",
        "longest a PostgreSQL statement (or an SQLite search) may run before it is cancelled and the request answered 400: a duration up to 24h, or `0` for no limit (and for PgBouncer or PostgreSQL 13, see Security)"
    )
    public static let allowedHosts = Setting(
        flag: "allowed-hosts", environment: ["CAIRN_ALLOWED_HOSTS"], unset: "unset (loopback names only)",
        "with `--auth none`: comma-separated host names (no port) `Host` and `Origin` may carry besides `localhost`, `*.localhost`, `127.x.x.x` and `[::1]`; `*` for any (see Security)"
    )
    public static let metrics = Setting(
        flag: "metrics", environment: ["CAIRN_METRICS"], default: "on",
        "`off` records no figures and serves no `/metrics` (for measuring what they cost)")
    public static let metricsPort = Setting(
        flag: "metrics-port", environment: ["CAIRN_METRICS_PORT"], unset: "unset (`/metrics` on the API port, `read` scope with auth on)",
        "a second port serving only `/metrics` (Prometheus text format), without authentication")
    public static let shutdownDelay = Setting(
        flag: "shutdown-delay", environment: ["CAIRN_SHUTDOWN_DELAY"], default: "0s",
        "after SIGTERM: how long to keep serving with `/readyz` failing before the listener closes (Kubernetes: a few seconds)")
    public static let shutdownGrace = Setting(
        flag: "shutdown-grace", environment: ["CAIRN_SHUTDOWN_GRACE"], default: "25s",
        "after the delay: how long requests in flight (uploads too) may run before they are cut")

    public static let s3AccessKeyID = Setting(
        environment: ["AWS_ACCESS_KEY_ID"], unset: "required", "access key id (SigV4 credentials)", group: .s3)
    public static let s3SecretAccessKey = Setting(
        environment: ["AWS_SECRET_ACCESS_KEY"], unset: "required", "secret access key", group: .s3, visibility: .secret)
    public static let s3SessionToken = Setting(environment: ["AWS_SESSION_TOKEN"], "temporary credentials", group: .s3, visibility: .secret)
    public static let s3Region = Setting(environment: ["AWS_REGION", "AWS_DEFAULT_REGION"], default: "us-east-1", "signing region", group: .s3)
    public static let s3Endpoint = Setting(
        environment: ["CAIRN_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3"], unset: "AWS", "the S3 endpoint, e.g. `http://minio:9000`", group: .s3)
    public static let s3PathStyle = Setting(
        environment: ["CAIRN_S3_PATH_STYLE"], default: "false", "`true` for path-style addressing (MinIO, SeaweedFS)", group: .s3)
    public static let s3PublicEndpoint = Setting(
        environment: ["CAIRN_S3_PUBLIC_ENDPOINT"], unset: "the endpoint",
        "the endpoint put in presigned URLs, when clients cannot reach the in-cluster one", group: .s3)
    public static let s3Presign = Setting(
        environment: ["CAIRN_S3_PRESIGN"], default: "true",
        "`false` sends every byte through Cairn (no multipart/presigned URLs for clients)", group: .s3)
    public static let s3DownloadConcurrency = Setting(
        environment: ["CAIRN_S3_DOWNLOAD_CONCURRENCY"], default: "4",
        "ranged GETs in flight per proxied download larger than 8 MiB, 1 to 64 (1: one streaming GET)", group: .s3)

    public static let trackingURI = Setting(
        flag: "tracking-uri", environment: ["CAIRN_TRACKING_URI", "MLFLOW_TRACKING_URI"], default: "http://127.0.0.1:5000",
        "the Cairn server client commands talk to; `cairn tokens` works on the database unless one is configured", group: .client)
    public static let token = Setting(
        flag: "token", environment: ["CAIRN_TOKEN", "MLFLOW_TRACKING_TOKEN"],
        "the API token sent to the server (an admin token for `cairn tokens`)", group: .client, visibility: .secret)
    public static let profile = Setting(
        flag: "profile", environment: ["CAIRN_PROFILE"], unset: "`default`, when saved",
        "the profile saved by `cairn login` whose server and token client commands use when no flag or variable sets them",
        group: .client)
    public static let retryFor = Setting(
        flag: "retry-for", environment: ["CAIRN_RETRY_FOR"], default: "60s",
        "how long client commands retry a server that is unreachable or answers 429, 502, 503 or 504 (`0` for no retries)",
        group: .client)

    /// Every setting, in README order.
    public static let all: [Setting] = [
        host, port, databaseURL, artifactsURI, logLevel, logFormat, auth, insecureAllowRemote, adminToken, rateLimit, tlsCert, tlsKey,
        targets, webhookSecret, promotionLease, promotionPollInterval, statementTimeout, allowedHosts, metrics, metricsPort, shutdownDelay,
        shutdownGrace,
        s3AccessKeyID, s3SecretAccessKey, s3SessionToken, s3Region, s3Endpoint, s3PathStyle, s3PublicEndpoint, s3Presign,
        s3DownloadConcurrency,
        trackingURI, token, profile, retryFor,
    ]
}
