-- A database migrated when every migration lived in Exchange.Storage (versions 0001-0220 in one
-- assembly): the schema and schema_version rows it left, dumped as SQL. Opening it with the
-- features' own migrations must apply nothing.
BEGIN TRANSACTION;
CREATE TABLE api_blobs (
    hash        TEXT    PRIMARY KEY,   -- 0x-prefixed lowercase keccak256 of the bytes
    size        INTEGER NOT NULL,
    uploader    TEXT    NOT NULL,      -- 0x-prefixed lowercase address that signed the upload
    created_at  INTEGER NOT NULL       -- UNIX seconds
) WITHOUT ROWID;
CREATE TABLE api_key_reveals (
    job_id      TEXT    NOT NULL,      -- uint256 in decimal
    recipient   TEXT    NOT NULL,      -- 0x-prefixed lowercase address
    hash        TEXT    NOT NULL,      -- 0x-prefixed keccak256 of the body
    signer      TEXT    NOT NULL,      -- 0x-prefixed lowercase address that signed the upload
    expiry      INTEGER NOT NULL,      -- the signature's expiry, UNIX seconds (part of what it signs)
    signature   TEXT    NOT NULL,      -- 0x-prefixed EIP-191 signature over hash and expiry
    body        BLOB    NOT NULL,      -- the reveal document (canonical JSON of sealed boxes)
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (job_id, recipient, hash)
) WITHOUT ROWID;
CREATE TABLE api_offers (
    digest       TEXT    PRIMARY KEY,  -- 0x-prefixed EIP-712 digest of the offer
    provider     TEXT    NOT NULL,     -- 0x-prefixed lowercase address
    model_id     TEXT    NOT NULL,     -- 0x-prefixed bytes32
    unit_price   TEXT    NOT NULL,     -- uint256 in decimal
    price_key    TEXT    NOT NULL,     -- unit_price left-padded to 78 digits, so text order is numeric order
    max_tasks    INTEGER NOT NULL,
    expiry       INTEGER NOT NULL,     -- UNIX seconds, capped at 2^63-1
    region       TEXT    NOT NULL,     -- the region's text (at most 32 UTF-8 bytes)
    nonce        TEXT    NOT NULL,     -- uint64 in decimal (may exceed SQLite's signed INTEGER)
    signature    TEXT    NOT NULL,     -- 0x-prefixed 65 bytes r || s || v
    received_at  INTEGER NOT NULL, min_turnaround INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider, nonce)
);
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
CREATE TABLE canary_baseline (
    account     TEXT    PRIMARY KEY,            -- checksummed address
    holdings    TEXT    NOT NULL,               -- tokens + market balance + stake, smallest unit
    ether       TEXT    NOT NULL                -- native balance (gas), wei
);
CREATE TABLE canary_bonds (
    job_id      TEXT    NOT NULL,
    round       INTEGER NOT NULL,
    bond        TEXT    NOT NULL,
    PRIMARY KEY (job_id, round)
);
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
CREATE TABLE canary_market_jobs (
    job_id      TEXT    PRIMARY KEY,
    model_id    TEXT    NOT NULL,
    task_count  INTEGER NOT NULL
);
CREATE TABLE chain_blocks (
    number      INTEGER PRIMARY KEY,
    hash        TEXT    NOT NULL,
    parent_hash TEXT    NOT NULL
);
CREATE TABLE chain_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id    INTEGER NOT NULL,
    market      TEXT    NOT NULL,              -- JobMarket address, lower-case 0x hex
    next_block  INTEGER NOT NULL,              -- first block not yet indexed
    updated_at  TEXT    NOT NULL
);
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
CREATE TABLE disputes (
    job_id          INTEGER PRIMARY KEY REFERENCES jobs (job_id),
    challenger      TEXT    NOT NULL,            -- the verifier whose fail verdict opened it
    evidence_hash   TEXT    NOT NULL,
    rounds          INTEGER NOT NULL DEFAULT 0,
    held            TEXT    NOT NULL DEFAULT '0', -- what the court holds for the job in the market (bonds, penalties, slashed collateral)
    resolved        INTEGER NOT NULL DEFAULT 0,
    provider_wrong  INTEGER,                     -- the final ruling, once resolved
    slashed         TEXT                         -- the provider's slashed collateral, when it was wrong
, passing_verifier TEXT, false_pass_penalty TEXT);
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
, pass_deadline INTEGER);
CREATE TABLE known_jobs (
    job_id         TEXT    PRIMARY KEY,
    record         TEXT    NOT NULL,
    -- created, submitted (awaiting its draw), drawn (draw read: audited by another or not at all), closed
    state          TEXT    NOT NULL CHECK (state IN ('created', 'submitted', 'drawn', 'closed')),
    updated_at     TEXT    NOT NULL
);
CREATE TABLE market_accounts (
    account           TEXT PRIMARY KEY,
    balance           TEXT    NOT NULL DEFAULT '0',
    collateral        TEXT    NOT NULL DEFAULT '0',
    jobs_settled      INTEGER NOT NULL DEFAULT 0,
    offer_nonce_floor INTEGER NOT NULL DEFAULT 0
, earned TEXT NOT NULL DEFAULT '0');
CREATE TABLE market_ledger (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    job_count         INTEGER NOT NULL,
    verification_pool TEXT    NOT NULL,
    protocol_fees     TEXT    NOT NULL,
    court_hold        TEXT    NOT NULL,          -- bonds and slashed stakes the court holds while disputes run
    paused            INTEGER NOT NULL
);
CREATE TABLE node_cursors (
    name           TEXT    PRIMARY KEY,
    next_block     INTEGER NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE TABLE offers_cancelled (
    digest        TEXT PRIMARY KEY,              -- the named offer's EIP-712 digest
    provider      TEXT    NOT NULL,
    nonce         INTEGER NOT NULL,
    block_number  INTEGER NOT NULL,
    tx_hash       TEXT    NOT NULL
);
CREATE TABLE "provider_jobs" (
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
, next_attempt_at TEXT);
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO "schema_version" VALUES(1,'0001_chain_cursor.sql','501059c2c4d286e97f6838770492189a11f5007ca9e5681e90d5d0ed43ce7983','2026-11-30T22:09:49.5048967+00:00');
INSERT INTO "schema_version" VALUES(2,'0002_chain_state.sql','d4371dd622c5efbe239f18d2b795f236b953b557355f72ebbd12b8d56d50682f','2026-11-30T22:09:49.9101422+00:00');
INSERT INTO "schema_version" VALUES(3,'0003_chain_state_v2.sql','034d55404c3a45a3565993731c88a3735edd59bcd1b5518510a85951ca252267','2026-11-30T22:09:49.9421882+00:00');
INSERT INTO "schema_version" VALUES(4,'0004_chain_verifier_record.sql','592b429e7764641bbb51da394a836fb5c0a4cdd92348183f44e566bebd989c45','2026-11-30T22:09:49.9812784+00:00');
INSERT INTO "schema_version" VALUES(100,'0100_api_blobs.sql','721623482fa25f010bd82037151f5fa2f77b857810f8942d6b0849678d2bb01d','2026-11-30T22:09:49.9880568+00:00');
INSERT INTO "schema_version" VALUES(101,'0101_api_offers.sql','97d13c8812309fcf1f483bf488453859d98112886220199f1837bb86ea8606c7','2026-11-30T22:09:49.9974896+00:00');
INSERT INTO "schema_version" VALUES(102,'0102_api_offer_turnaround.sql','39a0f245999e42e8d77fbbcb452cbf022bcea421855d9850b94db0508364ffeb','2026-11-30T22:09:50.0247061+00:00');
INSERT INTO "schema_version" VALUES(150,'0150_api_key_reveals.sql','78983a1481b06189c389fffaef449f3e8f80333437c69f752dedadcd6d6bed6b','2026-11-30T22:09:50.0255356+00:00');
INSERT INTO "schema_version" VALUES(200,'0200_node_work_queues.sql','2e5680f6886feb6429ac9c2231ee53857b8b89ff01a4aa08349ae9d6ef692234','2026-11-30T22:09:50.0261890+00:00');
INSERT INTO "schema_version" VALUES(201,'0201_node_court_queues.sql','0e8e7b79f037c8719da7bc9dacc355d719f279bd0abd67722dce93a1ebaccecc','2026-11-30T22:09:50.0414478+00:00');
INSERT INTO "schema_version" VALUES(210,'0210_node_canaries.sql','0c00c1ebb80d692c4f1f0b6bc5249f94d86b2c9790ab854169b154607a60ac61','2026-11-30T22:09:50.0484749+00:00');
INSERT INTO "schema_version" VALUES(220,'0220_node_retry_schedule.sql','d096f89a419566029b4d2d34d747d1b891451f5ca778928506de949486f90b62','2026-11-30T22:09:50.0690356+00:00');
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
, passes INTEGER NOT NULL DEFAULT 0, passes_overturned INTEGER NOT NULL DEFAULT 0);
CREATE TABLE token_balances (
    account TEXT PRIMARY KEY,
    balance TEXT NOT NULL
);
CREATE TABLE verifier_disputes (
    job_id         TEXT    PRIMARY KEY,
    record         TEXT    NOT NULL,
    challenger     INTEGER NOT NULL DEFAULT 0,   -- 1 when this verifier's fail verdict opened it
    state          TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    updated_at     TEXT    NOT NULL
);
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
    updated_at     TEXT    NOT NULL, next_attempt_at TEXT,
    PRIMARY KEY (job_id, round)
);
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
    updated_at     TEXT    NOT NULL, seed TEXT, next_attempt_at TEXT,
    PRIMARY KEY (job_id, kind)
);
CREATE INDEX chain_events_job ON chain_events (job_id, block_number, log_index) WHERE job_id IS NOT NULL;
CREATE INDEX chain_events_account ON chain_events (account, block_number) WHERE account IS NOT NULL;
CREATE INDEX chain_events_name ON chain_events (name, block_number);
CREATE INDEX jobs_client ON jobs (client, job_id);
CREATE INDEX jobs_provider ON jobs (provider, job_id);
CREATE INDEX jobs_verifier ON jobs (verifier, job_id) WHERE verifier IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, job_id);
CREATE INDEX dispute_votes_member ON dispute_votes (member, job_id);
CREATE INDEX api_offers_book ON api_offers (model_id, price_key);
CREATE INDEX api_offers_expiry ON api_offers (expiry);
CREATE INDEX verifier_work_by_state ON verifier_work (state, job_id);
CREATE INDEX known_jobs_by_state ON known_jobs (state, job_id);
CREATE INDEX provider_jobs_by_state ON provider_jobs (state, job_id);
CREATE INDEX verifier_votes_by_state ON verifier_votes (state, job_id);
CREATE INDEX verifier_disputes_by_state ON verifier_disputes (state, job_id);
CREATE INDEX canary_jobs_by_state ON canary_jobs (state, job_id);
COMMIT;
