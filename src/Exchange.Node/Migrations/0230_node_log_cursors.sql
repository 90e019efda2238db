-- The nodes' readers now keep their place in log_cursors (0005), which names the deployment and
-- the hashes of the blocks read. The old positions named neither, so each node reads the market's
-- history once more from the deployment's first block: what its handlers do is idempotent.
DROP TABLE node_cursors;
