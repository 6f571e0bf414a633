-- What makes a page of servers cost the same at a million rows as at a
-- thousand (see server/src/servers.rs). Everything here is kept by triggers
-- in the same transaction as the change it follows, so it cannot drift.

-- A server's counts, stored: a read needs no aggregate, and a sort by
-- `users` has an index.
ALTER TABLE servers ADD COLUMN domain_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE servers ADD COLUMN user_count BIGINT NOT NULL DEFAULT 0;
UPDATE servers SET
    domain_count = (SELECT COUNT(*) FROM domains WHERE domains.server_id = servers.id),
    user_count = (SELECT COUNT(*) FROM users JOIN domains ON users.domain_id = domains.id
                  WHERE domains.server_id = servers.id);
CREATE INDEX servers_user_count ON servers (user_count, id);

-- A domain added, removed or moved: its server's counts (and, for a move,
-- its users with it).
CREATE FUNCTION domains_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE servers SET domain_count = domain_count - 1,
            user_count = user_count - CASE WHEN TG_OP = 'UPDATE'
                THEN (SELECT COUNT(*) FROM users WHERE domain_id = OLD.id) ELSE 0 END
            WHERE id = OLD.server_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE servers SET domain_count = domain_count + 1,
            user_count = user_count + CASE WHEN TG_OP = 'UPDATE'
                THEN (SELECT COUNT(*) FROM users WHERE domain_id = NEW.id) ELSE 0 END
            WHERE id = NEW.server_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER domains_count_insert AFTER INSERT ON domains FOR EACH ROW EXECUTE FUNCTION domains_count();
CREATE TRIGGER domains_count_delete AFTER DELETE ON domains FOR EACH ROW EXECUTE FUNCTION domains_count();
CREATE TRIGGER domains_count_move AFTER UPDATE OF server_id ON domains
    FOR EACH ROW WHEN (OLD.server_id <> NEW.server_id) EXECUTE FUNCTION domains_count();

-- A user added, removed or moved between domains: the servers' counts.
CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE servers SET user_count = user_count - 1
            WHERE id = (SELECT server_id FROM domains WHERE id = OLD.domain_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE servers SET user_count = user_count + 1
            WHERE id = (SELECT server_id FROM domains WHERE id = NEW.domain_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_count_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_count();
CREATE TRIGGER users_count_move AFTER UPDATE OF domain_id ON users
    FOR EACH ROW WHEN (OLD.domain_id <> NEW.domain_id) EXECUTE FUNCTION users_count();

-- How many servers there are, by blocks of 1024 IDs: the unfiltered list's
-- `count` is a sum over blocks, and `offset` finds its block by summing,
-- then skips fewer than 1024 rows, instead of walking every row before it.
CREATE TABLE server_blocks (
    block BIGINT PRIMARY KEY NOT NULL,
    servers BIGINT NOT NULL
);
INSERT INTO server_blocks (block, servers) SELECT id >> 10, COUNT(*) FROM servers GROUP BY id >> 10;
-- Counted per statement, from the rows it inserted or deleted: a batch of
-- inserts updates each block's row once, not once per server (each update
-- of a row leaves a dead version behind until vacuum).
CREATE FUNCTION server_blocks_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO server_blocks (block, servers)
        SELECT id >> 10, COUNT(*) FROM inserted GROUP BY id >> 10
        ON CONFLICT (block) DO UPDATE SET servers = server_blocks.servers + EXCLUDED.servers;
    RETURN NULL;
END $$;
CREATE FUNCTION server_blocks_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE server_blocks SET servers = servers - gone.n
        FROM (SELECT id >> 10 AS block, COUNT(*) AS n FROM deleted GROUP BY id >> 10) AS gone
        WHERE server_blocks.block = gone.block;
    RETURN NULL;
END $$;
CREATE TRIGGER server_blocks_insert AFTER INSERT ON servers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION server_blocks_insert();
CREATE TRIGGER server_blocks_delete AFTER DELETE ON servers
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION server_blocks_delete();

-- Substring search (`match`): ILIKE '%abc%' on the names finds its rows
-- through trigram indexes when the text has three characters or more.
-- SQLite keeps an FTS5 table for this; PostgreSQL's pg_trgm indexes the
-- columns themselves. The extension lives in `public`, shared by every
-- schema of the database (each hostadmin may have a schema of its own).
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX servers_hostname_trgm ON servers USING gin (hostname public.gin_trgm_ops);
CREATE INDEX servers_extname_trgm ON servers USING gin (extname public.gin_trgm_ops);
