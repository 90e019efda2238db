-- When a node tries a job's step again after a transient failure (src/Exchange.Node
-- Hosting/RetryBackoff): kept with the row, so that a restart honours the back-off instead of
-- hammering an API that is still away. NULL: due now. An ISO-8601 UTC time, compared as text.
ALTER TABLE provider_jobs ADD COLUMN next_attempt_at TEXT;
ALTER TABLE verifier_work ADD COLUMN next_attempt_at TEXT;
ALTER TABLE verifier_votes ADD COLUMN next_attempt_at TEXT;
