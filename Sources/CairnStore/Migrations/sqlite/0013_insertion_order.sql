-- PostgreSQL's 0013 adds `seq` columns recording the order a run's params, tags and latest
-- metrics (and a logged model's metrics) were first stored, the order MLflow lists them in.
-- SQLite tables keep that order in `rowid` already (an upsert keeps a row's rowid, and VACUUM
-- renumbers rowids in order), so there is nothing to change here; the file keeps both engines'
-- migration numbers in step.
SELECT 1;
