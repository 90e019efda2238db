-- Protocol v2: the indexer reads four contracts (AuditCourt joins ComputeToken, StakingVault and
-- JobMarket). Jobs gain acceptance, the audit draw, audit origins and dispute rounds; the court's
-- audits, rounds and votes get tables of their own; the vault reports draw weights. An index of the
-- earlier contracts cannot be carried over (their events are not these), so its events, state and
-- cursor are dropped: the indexer starts again from the deployment it is given.
-- Every table below is a pure function of chain_events: a reorg deletes the events of the dropped
-- blocks and replays the rest. Conventions: addresses are lower-case 0x hex, bytes32 are lower-case
-- 0x hex, token amounts are decimal TEXT (uint256 exceeds SQLite's integers), times are UNIX
-- seconds, statuses and phases are the contracts' enum numbers. Readers: docs/chain.md.

DROP TABLE votes;
DROP TABLE disputes;
DROP TABLE jobs;
DROP TABLE offers_cancelled;
DROP TABLE stakes;
DROP TABLE market_accounts;
DROP TABLE token_balances;
DROP TABLE market_ledger;
DROP TABLE chain_events;
DELETE FROM chain_blocks;
DELETE FROM chain_cursor;

-- Every event of the four contracts, in chain order: the timeline.
CREATE TABLE chain_events (
    block_number  INTEGER NOT NULL,
    log_index     INTEGER NOT NULL,
    block_hash    TEXT    NOT NULL,
    block_time    INTEGER NOT NULL,
    tx_hash       TEXT    NOT NULL,
    tx_from       TEXT    NOT NULL,              -- the transaction's sender
    gas_used      INTEGER NOT NULL,              -- gas of the whole transaction (shared by its events)
    contract      TEXT    NOT NULL,              -- ComputeToken | StakingVault | JobMarket | AuditCourt
    name          TEXT    NOT NULL,              -- the event's name, e.g. JobCreated
    job_id        INTEGER,                       -- set when the event names a job
    account       TEXT,                          -- the first address argument, when any
    args          TEXT    NOT NULL,              -- JSON object of the arguments by ABI name
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX chain_events_job ON chain_events (job_id, block_number, log_index) WHERE job_id IS NOT NULL;
CREATE INDEX chain_events_account ON chain_events (account, block_number) WHERE account IS NOT NULL;
CREATE INDEX chain_events_name ON chain_events (name, block_number);

-- One row per job: the full record the market needs back on every call, its status and how it
-- ended. The court's own record of the job's audit is the audits row; its dispute the disputes rows.
CREATE TABLE jobs (
    job_id          INTEGER PRIMARY KEY,
    status          INTEGER NOT NULL,            -- JobStatus: 1 Created 2 Accepted 3 Submitted 4 Unaudited 5 Auditing 6 Disputed 7 Settled 8 Slashed 9 Expired
    client          TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    model_id        TEXT    NOT NULL,
    unit_price      TEXT    NOT NULL,
    task_count      INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    tasks_root      TEXT    NOT NULL,
    manifest_hash   TEXT    NOT NULL,
    result_root     TEXT    NOT NULL,            -- zero hash until submitted
    outputs_hash    TEXT    NOT NULL,            -- zero hash until submitted
    submitted_at    INTEGER NOT NULL,            -- 0 until submitted
    submit_block    INTEGER NOT NULL,            -- 0 until submitted
    price           TEXT    NOT NULL,            -- unit_price * task_count
    collateral      TEXT    NOT NULL,            -- taken from the provider's free collateral while in flight
    created_block   INTEGER NOT NULL,
    created_tx      TEXT    NOT NULL,
    updated_block   INTEGER NOT NULL,
    accepted_at     INTEGER,                     -- block time of JobAccepted; NULL while not accepted
    draw_seed       TEXT,                        -- DrawRecorded's seed (zero for a lapsed draw); NULL while not recorded
    audited         INTEGER,                     -- the draw: 1 audited (selected or lapsed), 0 not; NULL while not fixed
    audit_origin    INTEGER,                     -- AuditOrigin: 0 Drawn 1 Lapsed 2 ClientRequested; NULL when never audited
    audit_fee       TEXT,                        -- what the client paid for its audit (AuditRequested)
    verifier        TEXT,                        -- the verifier drawn last
    audit_deadline  INTEGER,                     -- its verdict's deadline
    audit_timeouts  INTEGER NOT NULL DEFAULT 0,  -- drawn verifiers that stayed silent
    verdict_pass    INTEGER,                     -- 1 pass, 0 fail, NULL no verdict
    evidence_hash   TEXT,
    audit_reward    TEXT,                        -- credited to the verifier with its verdict (0 on fail: it waits for the ruling)
    dispute_rounds  INTEGER NOT NULL DEFAULT 0,  -- committee rounds opened
    provider_wrong  INTEGER,                     -- the dispute's final ruling; NULL until resolved
    settlement      TEXT,                        -- how a settled job settled: unaudited (the draw passed it over),
                                                 -- audited (a pass verdict or a ruling for the provider),
                                                 -- unverified (no verifier could be drawn, or both drawn stayed silent)
    payout          TEXT,                        -- credited to the provider by JobSettled
    refund          TEXT,                        -- credited to the client by JobExpired
    slashed         TEXT                         -- taken from the provider's stake (expiry or dispute)
);
CREATE INDEX jobs_client ON jobs (client, job_id);
CREATE INDEX jobs_provider ON jobs (provider, job_id);
CREATE INDEX jobs_verifier ON jobs (verifier, job_id) WHERE verifier IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, job_id);

-- AuditCourt.auditOf(jobId), field for field. A job whose drawn verifier passed it in the
-- transaction that fixed its draw leaves no record in the court, and has no row here.
CREATE TABLE audits (
    job_id    INTEGER PRIMARY KEY REFERENCES jobs (job_id),
    verifier  TEXT    NOT NULL DEFAULT '0x0000000000000000000000000000000000000000',
    deadline  INTEGER NOT NULL DEFAULT 0,
    phase     INTEGER NOT NULL DEFAULT 0,        -- AuditCourt.Phase: 0 None 1 AwaitingDraw 2 Assigned 3 Disputed 4 Done
    origin    INTEGER NOT NULL DEFAULT 0,        -- AuditOrigin
    attempt   INTEGER NOT NULL DEFAULT 0,        -- 0 first verifier, 1 after a timeout
    ticket    INTEGER NOT NULL DEFAULT 0,        -- seed ticket (a block) of a pending draw
    epoch     INTEGER NOT NULL DEFAULT 0,        -- snapshot epoch of a pending draw
    seed      TEXT    NOT NULL DEFAULT '0x0000000000000000000000000000000000000000000000000000000000000000'
);

-- AuditCourt.disputeOf(jobId) and heldFor(jobId), with the outcome.
CREATE TABLE disputes (
    job_id          INTEGER PRIMARY KEY REFERENCES jobs (job_id),
    challenger      TEXT    NOT NULL,            -- the verifier whose fail verdict opened it
    evidence_hash   TEXT    NOT NULL,
    rounds          INTEGER NOT NULL DEFAULT 0,
    held            TEXT    NOT NULL DEFAULT '0', -- what the court holds for the job in the market (bonds, penalties, slashed collateral)
    resolved        INTEGER NOT NULL DEFAULT 0,
    provider_wrong  INTEGER,                     -- the final ruling, once resolved
    slashed         TEXT                         -- the provider's slashed collateral, when it was wrong
);

-- AuditCourt.roundOf(jobId, round), field for field, plus the committee size the round draws.
CREATE TABLE dispute_rounds (
    job_id           INTEGER NOT NULL REFERENCES disputes (job_id),
    round            INTEGER NOT NULL,
    funder           TEXT    NOT NULL,           -- the challenger (round 0) or the appellant
    funded_wrong     INTEGER NOT NULL,           -- the side of the funder's bond: 1 provider wrong
    bond             TEXT    NOT NULL,
    size             INTEGER NOT NULL,           -- members drawn at most: (committeeSize + 1) * 2^round - 1
    ticket           INTEGER NOT NULL,
    epoch            INTEGER NOT NULL,
    drawn            INTEGER NOT NULL DEFAULT 0,
    members          TEXT    NOT NULL DEFAULT '[]', -- JSON array of addresses, in draw order
    commit_deadline  INTEGER NOT NULL DEFAULT 0,
    reveal_deadline  INTEGER NOT NULL DEFAULT 0,
    committed        INTEGER NOT NULL DEFAULT 0,
    revealed         INTEGER NOT NULL DEFAULT 0,
    votes_wrong      INTEGER NOT NULL DEFAULT 0,
    closed           INTEGER NOT NULL DEFAULT 0,
    provider_wrong   INTEGER NOT NULL DEFAULT 0, -- the round's ruling, once closed
    appeal_deadline  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, round)
);

-- One row per member of a drawn committee: AuditCourt.voteOf (the commitment itself is not in the
-- events) and what the final ruling cost it.
CREATE TABLE dispute_votes (
    job_id     INTEGER NOT NULL,
    round      INTEGER NOT NULL,
    member     TEXT    NOT NULL,
    committed  INTEGER NOT NULL DEFAULT 0,
    revealed   INTEGER NOT NULL DEFAULT 0,       -- 0 not revealed, 1 provider wrong, 2 provider right
    penalty    TEXT,                             -- slashed for voting against the final ruling or not at all
    PRIMARY KEY (job_id, round, member),
    FOREIGN KEY (job_id, round) REFERENCES dispute_rounds (job_id, round)
);
CREATE INDEX dispute_votes_member ON dispute_votes (member, job_id);

-- Cancellations as the provider named them; cancelling nonce n cancels every offer of the provider
-- with a nonce up to n (market_accounts.offer_nonce_floor is the rule; these rows are the record).
CREATE TABLE offers_cancelled (
    digest        TEXT PRIMARY KEY,              -- the named offer's EIP-712 digest
    provider      TEXT    NOT NULL,
    nonce         INTEGER NOT NULL,
    block_number  INTEGER NOT NULL,
    tx_hash       TEXT    NOT NULL
);

-- StakingVault's view of an account (accountOf, drawWeightOf, lastSlashedAt) and, for verifiers,
-- their work in the court.
CREATE TABLE stakes (
    account        TEXT PRIMARY KEY,
    role           INTEGER NOT NULL DEFAULT 0,   -- 0 none, 1 provider, 2 verifier
    stake          TEXT    NOT NULL DEFAULT '0',
    locked         TEXT    NOT NULL DEFAULT '0', -- stake locked by the market as collateral (free or in jobs)
    unbonding      TEXT    NOT NULL DEFAULT '0',
    release_at     INTEGER NOT NULL DEFAULT 0,
    audits_passed  INTEGER NOT NULL DEFAULT 0,
    audits_failed  INTEGER NOT NULL DEFAULT 0,
    slashes        INTEGER NOT NULL DEFAULT 0,
    encryption_key TEXT,                         -- X25519 public key, bytes32 hex
    draw_weight    TEXT    NOT NULL DEFAULT '0', -- the latest draw weight (non-zero: drawable from weight_epoch on)
    weight_epoch   INTEGER NOT NULL DEFAULT 0,   -- the epoch it takes effect
    slashed_at     INTEGER NOT NULL DEFAULT 0,   -- time of the last slash while a verifier
    verdicts       INTEGER NOT NULL DEFAULT 0,   -- verdicts delivered as a drawn verifier
    timeouts       INTEGER NOT NULL DEFAULT 0,   -- audits it let time out
    votes          INTEGER NOT NULL DEFAULT 0,   -- committee votes revealed
    penalties      INTEGER NOT NULL DEFAULT 0,   -- committee votes penalised (against the ruling, or missing)
    penalised      TEXT    NOT NULL DEFAULT '0'  -- stake taken by timeouts and penalties
);

-- JobMarket's per-account slot (accountOf): the internal balance an account can withdraw or spend on
-- jobs, a provider's free collateral (locked in the vault, not yet in a job), jobs settled, and the
-- offer nonce floor (offers with a lower nonce are cancelled).
CREATE TABLE market_accounts (
    account           TEXT PRIMARY KEY,
    balance           TEXT    NOT NULL DEFAULT '0',
    collateral        TEXT    NOT NULL DEFAULT '0',
    jobs_settled      INTEGER NOT NULL DEFAULT 0,
    offer_nonce_floor INTEGER NOT NULL DEFAULT 0
);

-- ComputeToken balances (ERC-20 balanceOf), from Transfer events.
CREATE TABLE token_balances (
    account TEXT PRIMARY KEY,
    balance TEXT NOT NULL
);

-- JobMarket's ledger() view: one row.
CREATE TABLE market_ledger (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    job_count         INTEGER NOT NULL,
    verification_pool TEXT    NOT NULL,
    protocol_fees     TEXT    NOT NULL,
    court_hold        TEXT    NOT NULL,          -- bonds and slashed stakes the court holds while disputes run
    paused            INTEGER NOT NULL
);
