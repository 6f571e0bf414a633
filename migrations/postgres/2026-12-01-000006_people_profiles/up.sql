-- People as ONLYOFFICE defines them (EmployeeWraperFull): names, e-mail,
-- status, profile fields. A person's hosting domain is now the one its
-- e-mail is on, and may be none (`domain_id` NULL): the product's people
-- need not be mail users. Existing people keep their domain; their e-mail
-- becomes userName@domain and their display name is split into first and
-- last name at the first space. (The SQLite migration builds the same
-- columns, in the same order.)
ALTER TABLE users ALTER COLUMN domain_id DROP NOT NULL;
ALTER TABLE users
    ADD COLUMN email TEXT NOT NULL DEFAULT '',
    ADD COLUMN first_name TEXT NOT NULL DEFAULT '',
    ADD COLUMN last_name TEXT NOT NULL DEFAULT '',
    ADD COLUMN is_visitor BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN status INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN activation_status INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN sex TEXT,
    ADD COLUMN birthday TEXT,
    ADD COLUMN work_from TEXT,
    ADD COLUMN terminated TEXT,
    ADD COLUMN location TEXT NOT NULL DEFAULT '',
    ADD COLUMN notes TEXT NOT NULL DEFAULT '',
    ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN lead_guid TEXT,
    ADD COLUMN password_hash TEXT;
UPDATE users u SET
    email = lower(CASE WHEN strpos(u.username, '@') > 0 THEN u.username ELSE u.username || '@' || d.name END),
    first_name = CASE WHEN strpos(u.display_name, ' ') > 0
        THEN substr(u.display_name, 1, strpos(u.display_name, ' ') - 1) ELSE u.display_name END,
    last_name = CASE WHEN strpos(u.display_name, ' ') > 0
        THEN substr(u.display_name, strpos(u.display_name, ' ') + 1) ELSE '' END
FROM domains d WHERE d.id = u.domain_id;
ALTER TABLE users ALTER COLUMN email DROP DEFAULT;
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_display_name ON users (display_name, id);

-- A person moved to or from no domain: the counts follow (NULL compares as
-- unknown with <>, so the old condition missed those moves).
DROP TRIGGER users_count_move ON users;
CREATE TRIGGER users_count_move AFTER UPDATE OF domain_id ON users
    FOR EACH ROW WHEN (OLD.domain_id IS DISTINCT FROM NEW.domain_id) EXECUTE FUNCTION users_count();
