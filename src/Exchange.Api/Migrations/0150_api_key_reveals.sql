-- Task keys of encrypted jobs revealed to drawn verifiers and committee members: each row is one
-- reveal document of sealed boxes that only its recipient can open, with the uploader's signature
-- so the recipient can check, without trusting the API, that the job's provider sent it.
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
