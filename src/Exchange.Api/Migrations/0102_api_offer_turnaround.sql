-- Offers gain minTurnaround (seconds a provider needs at least; the market refuses a job due sooner).
-- The booked offers were signed over the EIP-712 Offer type without it: no market accepts those
-- signatures, so they are dropped rather than given a made-up turnaround.
DELETE FROM api_offers;
ALTER TABLE api_offers ADD COLUMN min_turnaround INTEGER NOT NULL DEFAULT 0;
