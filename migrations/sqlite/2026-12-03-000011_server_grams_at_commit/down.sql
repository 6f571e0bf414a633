-- Back to the index written by triggers at each change (migration 9),
-- brought up to date first.
DELETE FROM servers_search_stale;
DROP TRIGGER servers_search_stale_settle;
DROP TRIGGER servers_search_stale_insert;
DROP TRIGGER servers_search_stale_delete;
DROP TRIGGER servers_search_stale_update;
DROP TABLE servers_search_stale;

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
