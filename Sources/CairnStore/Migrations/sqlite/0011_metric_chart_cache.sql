-- The dashboard's reduced metric series (issue 15): a chart of a 100,000-point series needs only
-- its M4 reduction (at most four points per pixel column), which takes tens of milliseconds to
-- compute from the points and a fraction of one to read back. One row per series, axis (0: step,
-- 1: time) and bucket count; `points` is the reduction as text, `newest_timestamp` the newest
-- point's timestamp when it was computed. A write to a series deletes its rows; a read checks
-- `newest_timestamp` against the series' newest point too, which catches a write that raced the
-- computation. Derived data only: dropping every row loses nothing.
CREATE TABLE metric_chart_cache (
    series_id        BIGINT NOT NULL,
    axis             SMALLINT NOT NULL,
    buckets          INTEGER NOT NULL,
    newest_timestamp BIGINT NOT NULL,
    points           TEXT NOT NULL,
    PRIMARY KEY (series_id, axis, buckets)
);
