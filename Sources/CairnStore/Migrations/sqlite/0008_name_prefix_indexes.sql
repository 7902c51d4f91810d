-- PostgreSQL adds text_pattern_ops indexes for LIKE prefix searches on registry names in its 0008.
-- SQLite needs none: Cairn runs it with case_sensitive_like=ON, so a prefix LIKE already uses the
-- primary keys' indexes on name. This file keeps the two engines' schema versions in step.
SELECT 1;
