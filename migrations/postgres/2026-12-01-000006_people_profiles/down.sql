DROP TRIGGER users_count_move ON users;
CREATE TRIGGER users_count_move AFTER UPDATE OF domain_id ON users
    FOR EACH ROW WHEN (OLD.domain_id <> NEW.domain_id) EXECUTE FUNCTION users_count();
DROP INDEX users_display_name;
DROP INDEX users_email_key;
DELETE FROM users WHERE domain_id IS NULL;
ALTER TABLE users
    DROP COLUMN email, DROP COLUMN first_name, DROP COLUMN last_name, DROP COLUMN is_visitor,
    DROP COLUMN status, DROP COLUMN activation_status, DROP COLUMN sex, DROP COLUMN birthday,
    DROP COLUMN work_from, DROP COLUMN terminated, DROP COLUMN location, DROP COLUMN notes,
    DROP COLUMN contacts, DROP COLUMN lead_guid, DROP COLUMN password_hash;
ALTER TABLE users ALTER COLUMN domain_id SET NOT NULL;
