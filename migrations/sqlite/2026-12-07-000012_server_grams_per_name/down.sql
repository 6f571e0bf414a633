-- Back to one index row per server (migrations 9 to 11), rebuilt whole.
DROP TRIGGER servers_search_stale_settle;
DROP TRIGGER servers_search_stale_insert;
DROP TRIGGER servers_search_stale_delete;
DROP TRIGGER servers_search_stale_id;
DROP TRIGGER servers_search_stale_hostname;
DROP TRIGGER servers_search_stale_extname;
DROP TABLE servers_search_stale;
DROP TABLE servers_search_grams;

CREATE VIRTUAL TABLE servers_search_grams USING fts5 (grams, content = '', detail = none);
INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('automerge', 16);
INSERT INTO servers_search_grams (rowid, grams) SELECT servers.id,
    COALESCE((SELECT group_concat(hex(substr(lower(servers.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.hostname))), '00', '0,') || '0]')
        WHERE key < length(servers.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(servers.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.extname))), '00', '0,') || '0]')
        WHERE key < length(servers.extname) - 2), '')
    FROM servers;
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
