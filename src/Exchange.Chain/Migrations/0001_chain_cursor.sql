-- The chain indexer's position. One database indexes one deployment, so the cursor is one row;
-- the indexer refuses a database whose row names another chain or market.
CREATE TABLE chain_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id    INTEGER NOT NULL,
    market      TEXT    NOT NULL,              -- JobMarket address, lower-case 0x hex
    next_block  INTEGER NOT NULL,              -- first block not yet indexed
    updated_at  TEXT    NOT NULL
);

-- Hashes of the blocks the indexer has read (the unconfirmed tail and a margin before it), so that
-- a reorg is noticed by comparing the stored hash with the node's.
CREATE TABLE chain_blocks (
    number      INTEGER PRIMARY KEY,
    hash        TEXT    NOT NULL,
    parent_hash TEXT    NOT NULL
);
