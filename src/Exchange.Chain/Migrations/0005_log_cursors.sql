-- Named cursors of the log pollers: the chain indexer's ('indexer') and each node role's. A cursor
-- names its chain and JobMarket, and a poller refuses a cursor of another deployment.
CREATE TABLE log_cursors (
    name        TEXT    PRIMARY KEY,
    chain_id    INTEGER NOT NULL,
    market      TEXT    NOT NULL,              -- JobMarket address, lower-case 0x hex
    next_block  INTEGER NOT NULL,              -- first block not yet read
    updated_at  TEXT    NOT NULL
);

-- Hashes of the blocks each poller has read (the unconfirmed tail and a margin before it), so that
-- a reorg is noticed by comparing the stored hash with the node's.
CREATE TABLE log_blocks (
    cursor      TEXT    NOT NULL REFERENCES log_cursors (name) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (cursor, number)
);

-- The indexer keeps its place.
INSERT INTO log_cursors (name, chain_id, market, next_block, updated_at)
    SELECT 'indexer', chain_id, market, next_block, updated_at FROM chain_cursor;
INSERT INTO log_blocks (cursor, number, hash) SELECT 'indexer', number, hash FROM chain_blocks WHERE EXISTS (SELECT 1 FROM chain_cursor);
DROP TABLE chain_blocks;
DROP TABLE chain_cursor;
