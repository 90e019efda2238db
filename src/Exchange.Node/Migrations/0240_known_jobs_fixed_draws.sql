-- A known job's draw can now be marked fixed (its auditor assigned, or the job left unaudited), so
-- that the draws read but not fixed can be read again: whom a pending draw names changes when a
-- verifier is penalised in its epoch. SQLite changes a CHECK only by copying the table.
CREATE TABLE known_jobs_new (
    job_id         TEXT    PRIMARY KEY,
    record         TEXT    NOT NULL,
    -- created, submitted (awaiting its draw), drawn (draw read, not yet fixed), fixed (draw fixed), closed
    state          TEXT    NOT NULL CHECK (state IN ('created', 'submitted', 'drawn', 'fixed', 'closed')),
    updated_at     TEXT    NOT NULL
);
INSERT INTO known_jobs_new (job_id, record, state, updated_at) SELECT job_id, record, state, updated_at FROM known_jobs;
DROP TABLE known_jobs;
ALTER TABLE known_jobs_new RENAME TO known_jobs;
CREATE INDEX known_jobs_by_state ON known_jobs (state, job_id);
