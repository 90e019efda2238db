-- The canary service (src/Exchange.Node/Canary): the jobs it posted with deliberately wrong
-- outputs and how each ended, the market's other jobs it saw (canaries are kept to a share of
-- all jobs, and copy their sizes), and the holdings its two accounts started from (what it spent
-- and recovered is measured against them).
CREATE TABLE canary_jobs (
    job_id      TEXT    PRIMARY KEY,            -- uint256, decimal
    record      TEXT    NOT NULL,               -- the job record as JSON, completed at submission
    wrong       TEXT    NOT NULL,               -- indices of the tasks given wrong outputs, comma-separated
    cost        TEXT    NOT NULL,               -- what creating it debited the client (price and fees), smallest unit
    -- posted: created; submitted: result on chain; passed: a verifier passed it (appeal it when
    -- the audit's sample holds a wrong task); unappealed: passed, but the sample missed every wrong
    -- task; appealed: its pass appealed; done: the job ended (outcome)
    state       TEXT    NOT NULL CHECK (state IN ('posted', 'submitted', 'passed', 'unappealed', 'appealed', 'done')),
    verifier    TEXT,                           -- the verifier whose verdict judged it
    bonds       TEXT    NOT NULL DEFAULT '0',   -- bonds its appeals posted, smallest unit
    penalty     TEXT,                           -- what the passing verifier lost when its pass was ruled wrong
    slashed     TEXT,                           -- the canary provider's collateral slashed when it was ruled wrong
    -- unaudited: settled without an audit; failed: a verifier failed it and its provider was
    -- slashed; caught: its pass was appealed and ruled wrong; pass-stood: the pass was not
    -- appealed; appeal-lost: the appeal was ruled "provider right"; expired
    outcome     TEXT,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX canary_jobs_by_state ON canary_jobs (state, job_id);

-- One row per round the canary funded (its pass appeal is round 0): a bond counts once however
-- often the event is read.
CREATE TABLE canary_bonds (
    job_id      TEXT    NOT NULL,
    round       INTEGER NOT NULL,
    bond        TEXT    NOT NULL,
    PRIMARY KEY (job_id, round)
);

CREATE TABLE canary_market_jobs (
    job_id      TEXT    PRIMARY KEY,
    model_id    TEXT    NOT NULL,
    task_count  INTEGER NOT NULL
);

CREATE TABLE canary_baseline (
    account     TEXT    PRIMARY KEY,            -- checksummed address
    holdings    TEXT    NOT NULL,               -- tokens + market balance + stake, smallest unit
    ether       TEXT    NOT NULL                -- native balance (gas), wei
);
