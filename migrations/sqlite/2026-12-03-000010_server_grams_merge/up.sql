-- The gram index (migration 9) is written by triggers inside each write's
-- savepoint, and FTS5 flushes its pending terms to a new segment at every
-- savepoint (it cannot roll back terms kept in memory): under group commit
-- each write adds a segment. With FTS5's default `automerge` of 4, every
-- fourth segment of a level starts a merge, which was a fifth of a rename's
-- time at 100 000 servers. Merging sixteen at a time writes each term about
-- half as often (log16 instead of log4 of the segments) for at most sixteen
-- segments per level to read in `match`.
INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('automerge', 16);
