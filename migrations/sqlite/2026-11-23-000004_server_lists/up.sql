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

CREATE TRIGGER domains_count_insert AFTER INSERT ON domains BEGIN
    UPDATE servers SET domain_count = domain_count + 1 WHERE id = NEW.server_id;
END;
CREATE TRIGGER domains_count_delete AFTER DELETE ON domains BEGIN
    UPDATE servers SET domain_count = domain_count - 1 WHERE id = OLD.server_id;
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

-- How many servers there are, by blocks of 1024 IDs: the unfiltered list's
-- `count` is a sum over blocks, and `offset` finds its block by summing,
-- then skips fewer than 1024 rows, instead of walking every row before it.
CREATE TABLE server_blocks (
    block BIGINT PRIMARY KEY NOT NULL,
    servers BIGINT NOT NULL
);
INSERT INTO server_blocks (block, servers) SELECT id >> 10, COUNT(*) FROM servers GROUP BY id >> 10;
CREATE TRIGGER server_blocks_insert AFTER INSERT ON servers BEGIN
    INSERT INTO server_blocks (block, servers) VALUES (NEW.id >> 10, 1)
        ON CONFLICT (block) DO UPDATE SET servers = servers + 1;
END;
CREATE TRIGGER server_blocks_delete AFTER DELETE ON servers BEGIN
    UPDATE server_blocks SET servers = servers - 1 WHERE block = OLD.id >> 10;
END;

-- Substring search (`match`) through a trigram index: LIKE '%abc%' on the
-- names finds its rows by index when the text has three characters or more.
CREATE VIRTUAL TABLE servers_search USING fts5 (
    hostname, extname, content = 'servers', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO servers_search (servers_search) VALUES ('rebuild');
CREATE TRIGGER servers_search_insert AFTER INSERT ON servers BEGIN
    INSERT INTO servers_search (rowid, hostname, extname) VALUES (NEW.id, NEW.hostname, NEW.extname);
END;
CREATE TRIGGER servers_search_delete AFTER DELETE ON servers BEGIN
    INSERT INTO servers_search (servers_search, rowid, hostname, extname)
        VALUES ('delete', OLD.id, OLD.hostname, OLD.extname);
END;
CREATE TRIGGER servers_search_update AFTER UPDATE OF hostname, extname ON servers BEGIN
    INSERT INTO servers_search (servers_search, rowid, hostname, extname)
        VALUES ('delete', OLD.id, OLD.hostname, OLD.extname);
    INSERT INTO servers_search (rowid, hostname, extname) VALUES (NEW.id, NEW.hostname, NEW.extname);
END;
