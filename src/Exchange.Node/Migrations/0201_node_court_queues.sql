-- Protocol v2 work of the nodes (src/Exchange.Node): a provider accepts a job before computing it
-- and follows its audit draw; a verifier's audits carry the seed that drew it, and its committee
-- votes are sealed with a salt kept here before the commitment is sent.

-- provider_jobs gains the acceptance steps and the draw. SQLite cannot change a CHECK constraint,
-- so the table is rebuilt with its rows.
CREATE TABLE provider_jobs_v2 (
    job_id         TEXT    PRIMARY KEY,          -- uint256, decimal
    record         TEXT    NOT NULL,
    -- new: seen on chain; checked: manifest and inputs fetched and valid; accepting: acceptJobs
    -- broadcast (accept_tx); accepted: accepted on chain; computed: outputs uploaded and result
    -- signed; submitting: result transaction broadcast (submit_tx); submitted: result on chain;
    -- done: settled, slashed or expired (outcome); declined: never accepted (missing or invalid
    -- data, or its deadline passed first: it expires without penalty); failed: accepted but
    -- cannot be computed (last_error).
    state          TEXT    NOT NULL CHECK (state IN ('new', 'checked', 'accepting', 'accepted', 'computed', 'submitting', 'submitted', 'done', 'declined', 'failed')),
    result_root    TEXT,
    outputs_hash   TEXT,
    signature      TEXT,
    accept_tx      TEXT,
    submit_tx      TEXT,
    falsified      INTEGER NOT NULL DEFAULT 0,   -- tasks the cheat mode falsified (0 for honest work)
    audited        INTEGER,                      -- the audit draw once read: 1 selected, 0 not; NULL unknown
    outcome        TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at     TEXT    NOT NULL
);
-- Rows keep their state: a v1 job that is still new is checked and accepted like any other.
INSERT INTO provider_jobs_v2 (job_id, record, state, result_root, outputs_hash, signature, submit_tx, outcome, attempts, last_error, updated_at)
SELECT job_id, record, state, result_root, outputs_hash, signature, submit_tx, outcome, attempts, last_error, updated_at FROM provider_jobs;
DROP TABLE provider_jobs;
ALTER TABLE provider_jobs_v2 RENAME TO provider_jobs;
CREATE INDEX provider_jobs_by_state ON provider_jobs (state, job_id);

-- The seed that drew this verifier for an audit: the task indices follow from it
-- (AuditCourt.taskIndicesOf).
ALTER TABLE verifier_work ADD COLUMN seed TEXT;

-- One row per committee round this verifier sits on. The vote and its salt are written (judged)
-- before commitVote is sent, so a restart reveals what was committed; each transaction's hash is
-- written as soon as it is broadcast.
CREATE TABLE verifier_votes (
    job_id         TEXT    NOT NULL,
    round          INTEGER NOT NULL,
    record         TEXT    NOT NULL,             -- the job record as JSON, as in provider_jobs
    -- new: to judge; judged: vote and salt chosen; committing: commitVote broadcast (commit_tx);
    -- committed: on chain; revealing: revealVote broadcast (reveal_tx); revealed: on chain;
    -- done: the round is over for this member (outcome); failed: cannot be judged (last_error).
    state          TEXT    NOT NULL CHECK (state IN ('new', 'judged', 'committing', 'committed', 'revealing', 'revealed', 'done', 'failed')),
    provider_wrong INTEGER,
    salt           TEXT,
    commit_tx      TEXT,
    reveal_tx      TEXT,
    outcome        TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (job_id, round)
);
CREATE INDEX verifier_votes_by_state ON verifier_votes (state, job_id);

-- Disputes this verifier follows as challenger or committee member, for its keeper duties
-- (drawCommittee, closeRound, appeal as challenger, resolveDispute) until they end.
CREATE TABLE verifier_disputes (
    job_id         TEXT    PRIMARY KEY,
    record         TEXT    NOT NULL,
    challenger     INTEGER NOT NULL DEFAULT 0,   -- 1 when this verifier's fail verdict opened it
    state          TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    updated_at     TEXT    NOT NULL
);
CREATE INDEX verifier_disputes_by_state ON verifier_disputes (state, job_id);
