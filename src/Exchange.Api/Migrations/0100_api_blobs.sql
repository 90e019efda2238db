-- Blob metadata of the exchange API; the bytes are files under the data folder, named by hash.
CREATE TABLE api_blobs (
    hash        TEXT    PRIMARY KEY,   -- 0x-prefixed lowercase keccak256 of the bytes
    size        INTEGER NOT NULL,
    uploader    TEXT    NOT NULL,      -- 0x-prefixed lowercase address that signed the upload
    created_at  INTEGER NOT NULL       -- UNIX seconds
) WITHOUT ROWID;
