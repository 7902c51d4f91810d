-- The metric history keyed by a series id (one per run and key): see postgres/0007. The history
-- is purged explicitly with its run (`cairn gc`), as on PostgreSQL.
-- AUTOINCREMENT: a purged run's series id is never handed to a new series, so points a write
-- racing the purge may have left behind can never surface in another run's history.
CREATE TABLE metric_series (
    series_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_uuid  TEXT NOT NULL,
    key       TEXT NOT NULL,
    UNIQUE (run_uuid, key)
);

CREATE TABLE metric_points (
    series_id INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    value     REAL NOT NULL,
    is_nan    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (series_id, timestamp, step, value, is_nan)
);

INSERT INTO metric_series (run_uuid, key) SELECT DISTINCT run_uuid, key FROM metrics ORDER BY run_uuid, key;
INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
SELECT s.series_id, m.timestamp, m.step, m.value, m.is_nan FROM metrics m JOIN metric_series s ON s.run_uuid = m.run_uuid AND s.key = m.key;
DROP TABLE metrics;
