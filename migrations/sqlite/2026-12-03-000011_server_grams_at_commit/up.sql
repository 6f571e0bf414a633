-- The gram index of `match` (migration 9) is brought up to date once per
-- write transaction instead of at each change. Its triggers wrote it inside
-- each write's savepoint, and FTS5 flushes the terms it holds to a new
-- segment at every savepoint (it cannot roll back terms kept in memory), so
-- under group commit every rename wrote a segment of its own, and the index
-- kept merging them. Now a change only notes the server in
-- `servers_search_stale`, with the names the index holds for it (the first
-- change since the index was brought up to date wins: those are the names
-- a contentless index must be given to delete them), and deleting the notes
-- brings the index up to date (the trigger below). The writer deletes them
-- just before each commit (`server/src/db/search.rs`), in one statement:
-- one segment per transaction. A noted server is a candidate of every
-- `match` until then, so no answer depends on whether that has happened (a
-- transaction that commits without it, the CLI's or a test's, only leaves
-- more candidates until the next write).
DROP TRIGGER servers_search_grams_insert;
DROP TRIGGER servers_search_grams_delete;
DROP TRIGGER servers_search_grams_update;

CREATE TABLE servers_search_stale (
    id INTEGER PRIMARY KEY NOT NULL,
    -- Whether the index holds the server, under the names below.
    indexed BOOLEAN NOT NULL,
    hostname TEXT,
    extname TEXT
);
CREATE TRIGGER servers_search_stale_insert AFTER INSERT ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (id, indexed) VALUES (NEW.id, 0);
END;
CREATE TRIGGER servers_search_stale_delete AFTER DELETE ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (id, indexed, hostname, extname)
        VALUES (OLD.id, 1, OLD.hostname, OLD.extname);
END;
CREATE TRIGGER servers_search_stale_update AFTER UPDATE OF id, hostname, extname ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (id, indexed, hostname, extname)
        VALUES (OLD.id, 1, OLD.hostname, OLD.extname);
    INSERT OR IGNORE INTO servers_search_stale (id, indexed) VALUES (NEW.id, 0);
END;
-- A note deleted: the server's old grams out of the index, its current ones
-- (if it still exists) in. `json_each` over an array of length + 1 zeros
-- runs `key` over the positions, as in migration 9.
CREATE TRIGGER servers_search_stale_settle AFTER DELETE ON servers_search_stale BEGIN
    INSERT INTO servers_search_grams (servers_search_grams, rowid, grams)
        SELECT 'delete', OLD.id, COALESCE((SELECT group_concat(hex(substr(lower(OLD.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.hostname))), '00', '0,') || '0]')
        WHERE key < length(OLD.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(OLD.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.extname))), '00', '0,') || '0]')
        WHERE key < length(OLD.extname) - 2), '')
        WHERE OLD.indexed;
    INSERT INTO servers_search_grams (rowid, grams)
        SELECT servers.id, COALESCE((SELECT group_concat(hex(substr(lower(servers.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.hostname))), '00', '0,') || '0]')
        WHERE key < length(servers.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(servers.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.extname))), '00', '0,') || '0]')
        WHERE key < length(servers.extname) - 2), '')
        FROM servers WHERE servers.id = OLD.id;
END;
