-- Appealable passes and the verifiers' record. A pass verdict now waits out an appeal window before
-- it pays; an appeal opens a dispute that remembers the passing verifier, and a pass ruled wrong
-- costs that verifier a penalty. Accounts gain what they earned, verifiers the passes they gave and
-- the passes an appeal proved wrong. These columns are functions of every event since the
-- deployment, and the court's events changed with the passes: the index starts again from the
-- deployment it is given (as after migration 0003), its state rebuilt by the indexer.

DELETE FROM dispute_votes;
DELETE FROM dispute_rounds;
DELETE FROM disputes;
DELETE FROM audits;
DELETE FROM jobs;
DELETE FROM offers_cancelled;
DELETE FROM stakes;
DELETE FROM market_accounts;
DELETE FROM token_balances;
DELETE FROM market_ledger;
DELETE FROM chain_events;
DELETE FROM chain_blocks;
DELETE FROM chain_cursor;

-- A pass verdict may be appealed until then (UNIX time); NULL for a job no verifier passed.
-- (jobs.audit_reward now holds the reward paid when a pass stands, or to the challenger a ruling
-- proved right: a verdict itself pays nothing. audits.phase gains 5 Passed: the pass may be appealed
-- until audits.deadline.)
ALTER TABLE jobs ADD COLUMN pass_deadline INTEGER;

-- AuditCourt.disputeOf(jobId).passingVerifier: the verifier whose appealed pass the dispute judges
-- (NULL when a fail verdict opened it; the challenger is then the failing verifier, else the appellant).
ALTER TABLE disputes ADD COLUMN passing_verifier TEXT;
-- What the passing verifier lost when its pass was ruled wrong (FalsePassPenalised), else NULL.
ALTER TABLE disputes ADD COLUMN false_pass_penalty TEXT;

-- Of a verifier's verdicts, the passes; of those, the ones an appeal proved wrong (a canary, or any
-- appellant, caught it passing a wrong result).
ALTER TABLE stakes ADD COLUMN passes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stakes ADD COLUMN passes_overturned INTEGER NOT NULL DEFAULT 0;

-- What the account earned in the market: a provider's payouts and every court credit (audit rewards,
-- coherence shares, bonds won and returned, a client's refund after a ruling), less the bonds it
-- posted in disputes that ended (a bond returned nets to nothing, a bond lost counts against it).
ALTER TABLE market_accounts ADD COLUMN earned TEXT NOT NULL DEFAULT '0';
