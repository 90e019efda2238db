-- Blobs appended to pack files, one per upload: the pack's name under blobs/packs and where the
-- blob starts in it. NULL for a blob stored before packs, in a file of its own named by its hash.
ALTER TABLE api_blobs ADD COLUMN pack TEXT;
ALTER TABLE api_blobs ADD COLUMN pack_offset INTEGER;
