-- `match` at a cost that does not grow with the table for a selective
-- needle (see server/src/servers.rs). The trigram index of migration 4 read
-- whole posting lists: in names made of digits each trigram is in about one
-- name in a hundred, so a needle at a million rows read tens of thousands
-- of postings. Here each position of each name is indexed by the (up to)
-- eight characters that start there, lower-cased and hex-encoded (so that
-- FTS5's tokenizer keeps each one whole, whatever the name holds): a needle
-- of three to eight characters is one prefix query that reads only the
-- grams it starts, which are its occurrences; a longer needle reads those of
-- its first eight characters, and LIKE checks each candidate. Contentless,
-- without positions: about 60 MB at a million servers (the trigram index
-- took 145 MB).
DROP TRIGGER servers_search_update;
DROP TRIGGER servers_search_delete;
DROP TRIGGER servers_search_insert;
DROP TABLE servers_search;

CREATE VIRTUAL TABLE servers_search_grams USING fts5 (grams, content = '', detail = none);
-- The grams of a name: `key` runs over 0..length - 3 (an array of length + 1
-- zeros, made without a recursive query, which triggers may not hold).
INSERT INTO servers_search_grams (rowid, grams) SELECT servers.id,
    COALESCE((SELECT group_concat(hex(substr(lower(servers.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.hostname))), '00', '0,') || '0]')
        WHERE key < length(servers.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(servers.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(servers.extname))), '00', '0,') || '0]')
        WHERE key < length(servers.extname) - 2), '')
    FROM servers;
CREATE TRIGGER servers_search_grams_insert AFTER INSERT ON servers BEGIN
    INSERT INTO servers_search_grams (rowid, grams) VALUES (NEW.id,
    COALESCE((SELECT group_concat(hex(substr(lower(NEW.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(NEW.hostname))), '00', '0,') || '0]')
        WHERE key < length(NEW.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(NEW.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(NEW.extname))), '00', '0,') || '0]')
        WHERE key < length(NEW.extname) - 2), ''));
END;
CREATE TRIGGER servers_search_grams_delete AFTER DELETE ON servers BEGIN
    INSERT INTO servers_search_grams (servers_search_grams, rowid, grams) VALUES ('delete', OLD.id,
    COALESCE((SELECT group_concat(hex(substr(lower(OLD.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.hostname))), '00', '0,') || '0]')
        WHERE key < length(OLD.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(OLD.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.extname))), '00', '0,') || '0]')
        WHERE key < length(OLD.extname) - 2), ''));
END;
CREATE TRIGGER servers_search_grams_update AFTER UPDATE OF hostname, extname ON servers BEGIN
    INSERT INTO servers_search_grams (servers_search_grams, rowid, grams) VALUES ('delete', OLD.id,
    COALESCE((SELECT group_concat(hex(substr(lower(OLD.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.hostname))), '00', '0,') || '0]')
        WHERE key < length(OLD.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(OLD.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(OLD.extname))), '00', '0,') || '0]')
        WHERE key < length(OLD.extname) - 2), ''));
    INSERT INTO servers_search_grams (rowid, grams) VALUES (NEW.id,
    COALESCE((SELECT group_concat(hex(substr(lower(NEW.hostname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(NEW.hostname))), '00', '0,') || '0]')
        WHERE key < length(NEW.hostname) - 2), '') || ' ' ||
    COALESCE((SELECT group_concat(hex(substr(lower(NEW.extname), key + 1, 8)), ' ')
        FROM json_each('[' || replace(hex(zeroblob(length(NEW.extname))), '00', '0,') || '0]')
        WHERE key < length(NEW.extname) - 2), ''));
END;
