-- PostgreSQL adds text_pattern_ops indexes for LIKE prefix searches on registry names in its 0008.
-- SQLite's LIKE is case-insensitive and uses no ordinary index, so there is nothing to add; this
-- file keeps the two engines' schema versions in step.
SELECT 1;
