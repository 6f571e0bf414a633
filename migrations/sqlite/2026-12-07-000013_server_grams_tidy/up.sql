-- `match` searches each segment of the gram index, so its cost follows the
-- number of segments: at a million servers the seeded index had twenty
-- (automerge 16, migration 10, lets a level hold fifteen), and a needle
-- cost about 1.6 times what it costs in a single segment. Writes keep
-- automerge 16 (their merges stay cheap); the service merges when no write
-- has come for a while (`db::keep_search_index_merged`), with FTS5's
-- `merge` command, which merges the levels that hold `usermerge` segments
-- or more: two here, so an idle index keeps at most one segment per level.
INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('usermerge', 2);
