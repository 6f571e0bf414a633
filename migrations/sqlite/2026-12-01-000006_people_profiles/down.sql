-- People without a hosting domain cannot go back (the old table requires
-- one); the profile fields are dropped.
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TRIGGER domains_count_move;
DELETE FROM group_members WHERE user_id IN (SELECT id FROM users WHERE domain_id IS NULL);
UPDATE groups SET manager_id = NULL WHERE manager_id IN (SELECT id FROM users WHERE domain_id IS NULL);
CREATE TABLE users_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    avatar_small TEXT NOT NULL DEFAULT '',
    domain_id BIGINT NOT NULL REFERENCES domains (id) ON DELETE RESTRICT
);
INSERT INTO users_old SELECT id, guid, username, display_name, title, avatar_small, domain_id
FROM users WHERE domain_id IS NOT NULL;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
CREATE INDEX users_domain_id ON users (domain_id);
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    UPDATE servers SET user_count = user_count + 1
        WHERE id = (SELECT server_id FROM domains WHERE id = NEW.domain_id);
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE servers SET user_count = user_count - 1
        WHERE id = (SELECT server_id FROM domains WHERE id = OLD.domain_id);
END;
CREATE TRIGGER users_count_move AFTER UPDATE OF domain_id ON users
WHEN OLD.domain_id <> NEW.domain_id BEGIN
    UPDATE servers SET user_count = user_count - 1
        WHERE id = (SELECT server_id FROM domains WHERE id = OLD.domain_id);
    UPDATE servers SET user_count = user_count + 1
        WHERE id = (SELECT server_id FROM domains WHERE id = NEW.domain_id);
END;
CREATE TRIGGER domains_count_move AFTER UPDATE OF server_id ON domains
WHEN OLD.server_id <> NEW.server_id BEGIN
    UPDATE servers SET domain_count = domain_count - 1,
        user_count = user_count - (SELECT COUNT(*) FROM users WHERE domain_id = OLD.id)
        WHERE id = OLD.server_id;
    UPDATE servers SET domain_count = domain_count + 1,
        user_count = user_count + (SELECT COUNT(*) FROM users WHERE domain_id = NEW.id)
        WHERE id = NEW.server_id;
END;
COMMIT;
PRAGMA foreign_keys = ON;
