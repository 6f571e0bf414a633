-- `match`'s gram index (migrations 9 to 11) holds one row per name instead
-- of one per server, and forgets a row by its rowid. A server's hostname is
-- row 2 × ID and its external name row 2 × ID + 1, so a change of one name
-- rewrites that name's grams only (a rename changes one name as a rule);
-- and with `contentless_delete` FTS5 drops a row by marking its rowid, where
-- before a row could only be removed by tokenizing its old text again and
-- writing a deletion for each of its grams. Together they took about half
-- of what a rename cost the writer at 100 000 servers (perf: the settling
-- trigger and the index's flush and merges were 40 % of its time).
-- A change still only notes what it changed (now the index rows, without
-- the old names, which a delete by rowid no longer needs), and the writer
-- settles the notes just before each commit, as in migration 11.
DROP TRIGGER servers_search_stale_settle;
DROP TRIGGER servers_search_stale_insert;
DROP TRIGGER servers_search_stale_delete;
DROP TRIGGER servers_search_stale_update;
DROP TABLE servers_search_stale;
DROP TABLE servers_search_grams;

CREATE VIRTUAL TABLE servers_search_grams USING fts5 (
    grams, content = '', contentless_delete = 1, detail = none
);
-- As in migration 10: merge sixteen segments at a time.
INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('automerge', 16);
-- The grams of a name, as in migration 9: `key` runs over 0..length - 3.
INSERT INTO servers_search_grams (rowid, grams) SELECT 2 * servers.id,
    COALESCE((SELECT group_concat(hex(substr(lower(servers.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.hostname))), '00', '0,') || '0]')
        WHERE key < length(servers.hostname) - 2), '')
    FROM servers;
INSERT INTO servers_search_grams (rowid, grams) SELECT 2 * servers.id + 1,
    COALESCE((SELECT group_concat(hex(substr(lower(servers.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.extname))), '00', '0,') || '0]')
        WHERE key < length(servers.extname) - 2), '')
    FROM servers;

-- The index rows whose grams are not yet those of their name.
CREATE TABLE servers_search_stale (
    name INTEGER PRIMARY KEY NOT NULL
);
CREATE TRIGGER servers_search_stale_insert AFTER INSERT ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (name) VALUES (2 * NEW.id), (2 * NEW.id + 1);
END;
CREATE TRIGGER servers_search_stale_delete AFTER DELETE ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (name) VALUES (2 * OLD.id), (2 * OLD.id + 1);
END;
CREATE TRIGGER servers_search_stale_id AFTER UPDATE OF id ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (name)
        VALUES (2 * OLD.id), (2 * OLD.id + 1), (2 * NEW.id), (2 * NEW.id + 1);
END;
CREATE TRIGGER servers_search_stale_hostname AFTER UPDATE OF hostname ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (name) VALUES (2 * NEW.id);
END;
CREATE TRIGGER servers_search_stale_extname AFTER UPDATE OF extname ON servers BEGIN
    INSERT OR IGNORE INTO servers_search_stale (name) VALUES (2 * NEW.id + 1);
END;
-- A note deleted: the row's grams out of the index, and its name's current
-- ones in if the server still exists.
CREATE TRIGGER servers_search_stale_settle AFTER DELETE ON servers_search_stale BEGIN
    DELETE FROM servers_search_grams WHERE rowid = OLD.name;
    INSERT INTO servers_search_grams (rowid, grams)
        SELECT OLD.name, COALESCE((SELECT group_concat(hex(substr(lower(named.text), key + 1, 8)), ' ')
            FROM json_each('[' || replace(hex(zeroblob(length(named.text))), '00', '0,') || '0]')
            WHERE key < length(named.text) - 2), '')
        FROM (SELECT CASE OLD.name % 2 WHEN 0 THEN hostname ELSE extname END AS text
            FROM servers WHERE id = OLD.name / 2) AS named;
END;
