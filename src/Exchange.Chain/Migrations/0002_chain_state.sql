-- Chain state rebuilt by the indexer (Exchange.Chain.Indexing.ChainIndexer) from the contracts'
-- events. Every table below is a pure function of chain_events: a reorg deletes the events of the
-- dropped blocks and replays the rest. Conventions: addresses are lower-case 0x hex, bytes32 are
-- lower-case 0x hex, token amounts are decimal TEXT (uint256 exceeds SQLite's integers), times are
-- UNIX seconds. Readers: docs/chain.md.

-- Every event of the three contracts, in chain order: the timeline.
CREATE TABLE chain_events (
    block_number  INTEGER NOT NULL,
    log_index     INTEGER NOT NULL,
    block_hash    TEXT    NOT NULL,
    block_time    INTEGER NOT NULL,
    tx_hash       TEXT    NOT NULL,
    tx_from       TEXT    NOT NULL,              -- the transaction's sender
    gas_used      INTEGER NOT NULL,              -- gas of the whole transaction (shared by its events)
    contract      TEXT    NOT NULL,              -- ComputeToken | StakingVault | JobMarket
    name          TEXT    NOT NULL,              -- the event's name, e.g. JobCreated
    job_id        INTEGER,                       -- set when the event names a job
    account       TEXT,                          -- the first address argument, when any
    args          TEXT    NOT NULL,              -- JSON object of the arguments by ABI name
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX chain_events_job ON chain_events (job_id, block_number, log_index) WHERE job_id IS NOT NULL;
CREATE INDEX chain_events_account ON chain_events (account, block_number) WHERE account IS NOT NULL;
CREATE INDEX chain_events_name ON chain_events (name, block_number);

-- One row per job: the full record the contract needs back on every call, plus status and outcome.
CREATE TABLE jobs (
    job_id                 INTEGER PRIMARY KEY,
    status                 INTEGER NOT NULL,     -- 1 Created 2 Submitted 3 Auditing 4 Disputed 5 Settled 6 Slashed 7 Expired
    client                 TEXT    NOT NULL,
    provider               TEXT    NOT NULL,
    model_id               TEXT    NOT NULL,
    unit_price             TEXT    NOT NULL,
    task_count             INTEGER NOT NULL,
    deadline               INTEGER NOT NULL,
    tasks_root             TEXT    NOT NULL,
    manifest_hash          TEXT    NOT NULL,
    result_root            TEXT    NOT NULL,     -- zero hash until submitted
    outputs_hash           TEXT    NOT NULL,     -- zero hash until submitted
    submitted_at           INTEGER NOT NULL,     -- 0 until submitted
    submit_block           INTEGER NOT NULL,     -- 0 until submitted
    price                  TEXT    NOT NULL,     -- unit_price * task_count
    collateral             TEXT    NOT NULL,     -- taken from the provider's collateral while in flight
    created_block          INTEGER NOT NULL,
    created_tx             TEXT    NOT NULL,
    updated_block          INTEGER NOT NULL,
    draw_seed              TEXT,                 -- set by DrawRecorded
    audited                INTEGER,              -- 1 when the draw picked a verifier, 0 when it did not, NULL before the draw
    verifier               TEXT,                 -- the currently drawn verifier
    audit_deadline         INTEGER,
    client_requested_audit INTEGER NOT NULL DEFAULT 0,
    verdict_pass           INTEGER,              -- 1 pass, 0 fail, NULL no verdict
    evidence_hash          TEXT,
    payout                 TEXT,                 -- paid to the provider by JobSettled
    refund                 TEXT,                 -- refunded to the client by JobExpired
    slashed                TEXT                  -- taken from the provider's stake (expiry or dispute)
);
CREATE INDEX jobs_client ON jobs (client, job_id);
CREATE INDEX jobs_provider ON jobs (provider, job_id);
CREATE INDEX jobs_verifier ON jobs (verifier, job_id) WHERE verifier IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, job_id);

CREATE TABLE disputes (
    job_id                 INTEGER PRIMARY KEY REFERENCES jobs (job_id),
    challenger             TEXT    NOT NULL,
    bond                   TEXT    NOT NULL,
    deadline               INTEGER NOT NULL,
    committee              TEXT    NOT NULL,     -- JSON array of addresses
    votes_provider_wrong   INTEGER NOT NULL DEFAULT 0,
    votes_provider_right   INTEGER NOT NULL DEFAULT 0,
    resolved               INTEGER NOT NULL DEFAULT 0,
    provider_wrong         INTEGER,              -- the outcome, once resolved
    slashed                TEXT
);

CREATE TABLE votes (
    job_id         INTEGER NOT NULL REFERENCES jobs (job_id),
    member         TEXT    NOT NULL,
    provider_wrong INTEGER NOT NULL,
    block_number   INTEGER NOT NULL,
    PRIMARY KEY (job_id, member)
);

-- Cancellations as the provider named them; cancelling nonce n cancels every offer of the provider
-- with a nonce up to n (market_accounts.offer_nonce_floor is the rule; these rows are the record).
CREATE TABLE offers_cancelled (
    digest        TEXT PRIMARY KEY,              -- the named offer's EIP-712 digest
    provider      TEXT    NOT NULL,
    nonce         INTEGER NOT NULL,
    block_number  INTEGER NOT NULL,
    tx_hash       TEXT    NOT NULL
);

-- StakingVault's view of an account (accountOf), plus whether it is in the verifier set.
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
    verifier_active INTEGER NOT NULL DEFAULT 0
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
    paused            INTEGER NOT NULL
);
