-- People as ONLYOFFICE defines them (EmployeeWraperFull): names, e-mail,
-- status, profile fields. A person's hosting domain is now the one its
-- e-mail is on, and may be none (`domain_id` NULL): the product's people
-- need not be mail users. Existing people keep their domain; their e-mail
-- becomes userName@domain and their display name is split into first and
-- last name at the first space.
--
-- SQLite's way to change a column's constraints: a new table, the rows
-- copied, the old table dropped and the new one renamed, with foreign keys
-- off so that dropping the old table does not cascade to group members
-- (https://www.sqlite.org/lang_altertable.html#otheralter).
PRAGMA foreign_keys = OFF;
BEGIN;

-- This trigger on domains names `users`; it would stop the rename.
DROP TRIGGER domains_count_move;

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    avatar_small TEXT NOT NULL DEFAULT '',
    domain_id BIGINT REFERENCES domains (id) ON DELETE RESTRICT,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    is_visitor BOOLEAN NOT NULL DEFAULT FALSE,
    status INTEGER NOT NULL DEFAULT 1,
    activation_status INTEGER NOT NULL DEFAULT 0,
    sex TEXT,
    birthday TEXT,
    work_from TEXT,
    terminated TEXT,
    location TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    contacts TEXT NOT NULL DEFAULT '[]',
    lead_guid TEXT,
    password_hash TEXT
);
INSERT INTO users_new (id, guid, username, display_name, title, avatar_small, domain_id, email, first_name, last_name)
SELECT u.id, u.guid, u.username, u.display_name, u.title, u.avatar_small, u.domain_id,
    lower(CASE WHEN instr(u.username, '@') > 0 THEN u.username ELSE u.username || '@' || d.name END),
    CASE WHEN instr(u.display_name, ' ') > 0 THEN substr(u.display_name, 1, instr(u.display_name, ' ') - 1)
         ELSE u.display_name END,
    CASE WHEN instr(u.display_name, ' ') > 0 THEN substr(u.display_name, instr(u.display_name, ' ') + 1)
         ELSE '' END
FROM users u JOIN domains d ON d.id = u.domain_id;
-- IDs are never reused (AUTOINCREMENT): the new table continues the old
-- one's sequence, not just its highest remaining ID.
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'users'))
    WHERE name = 'users_new';
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE INDEX users_domain_id ON users (domain_id);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_display_name ON users (display_name, id);

-- The counts on servers, as before; a person without a hosting domain
-- counts nowhere (the subquery finds no server).
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    UPDATE servers SET user_count = user_count + 1
        WHERE id = (SELECT server_id FROM domains WHERE id = NEW.domain_id);
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE servers SET user_count = user_count - 1
        WHERE id = (SELECT server_id FROM domains WHERE id = OLD.domain_id);
END;
CREATE TRIGGER users_count_move AFTER UPDATE OF domain_id ON users
WHEN OLD.domain_id IS NOT NEW.domain_id BEGIN
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
