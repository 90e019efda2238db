-- Work queues of the provider and verifier nodes (src/Exchange.Node). A node restarts from these
-- rows: a job is computed once, and a transaction's hash is recorded as soon as it is broadcast so
-- that a restart waits for it (and checks the chain) instead of sending the same step again.

-- One row per job created against this provider's offers. record is the job record as JSON (the
-- commitment's preimage, rebuilt from JobCreated and ResultSubmitted; see Exchange.Node JobRecords).
CREATE TABLE provider_jobs (
    job_id         TEXT    PRIMARY KEY,          -- uint256, decimal
    record         TEXT    NOT NULL,
    -- new: seen on chain; computed: outputs uploaded and result signed; submitting: result
    -- transaction broadcast (submit_tx); submitted: result on chain; done: settled, slashed or
    -- expired (outcome); failed: cannot be computed (last_error).
    state          TEXT    NOT NULL CHECK (state IN ('new', 'computed', 'submitting', 'submitted', 'done', 'failed')),
    result_root    TEXT,
    outputs_hash   TEXT,
    signature      TEXT,
    submit_tx      TEXT,
    outcome        TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX provider_jobs_by_state ON provider_jobs (state, job_id);

-- One row per audit drawn to this verifier and per dispute whose committee it sits on.
CREATE TABLE verifier_work (
    job_id         TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('audit', 'vote')),
    record         TEXT    NOT NULL,             -- the job record as JSON, as in provider_jobs
    -- new: to judge; judged: verdict and evidence uploaded; sending: transaction broadcast
    -- (tx_hash); done: on chain, or moot (outcome says why); failed: cannot be judged (last_error).
    state          TEXT    NOT NULL CHECK (state IN ('new', 'judged', 'sending', 'done', 'failed')),
    pass           INTEGER,
    evidence_hash  TEXT,
    tx_hash        TEXT,
    outcome        TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (job_id, kind)
);
CREATE INDEX verifier_work_by_state ON verifier_work (state, job_id);

-- Records of every job the verifier has seen created, so that a later ResultSubmitted completes them.
CREATE TABLE known_jobs (
    job_id         TEXT    PRIMARY KEY,
    record         TEXT    NOT NULL,
    -- created, submitted (awaiting its draw), drawn (draw read: audited by another or not at all), closed
    state          TEXT    NOT NULL CHECK (state IN ('created', 'submitted', 'drawn', 'closed')),
    updated_at     TEXT    NOT NULL
);
CREATE INDEX known_jobs_by_state ON known_jobs (state, job_id);

-- How far each node's event reader has read the market's logs (first block not yet read).
CREATE TABLE node_cursors (
    name           TEXT    PRIMARY KEY,
    next_block     INTEGER NOT NULL,
    updated_at     TEXT    NOT NULL
);
