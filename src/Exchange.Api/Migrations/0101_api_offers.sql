-- The offer book: EIP-712 signed offers as received, keyed by their typed-data digest.
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
    received_at  INTEGER NOT NULL,
    UNIQUE (provider, nonce)
);
CREATE INDEX api_offers_book ON api_offers (model_id, price_key);
CREATE INDEX api_offers_expiry ON api_offers (expiry);
