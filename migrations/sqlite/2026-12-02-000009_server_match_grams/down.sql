DROP TRIGGER servers_search_grams_update;
DROP TRIGGER servers_search_grams_delete;
DROP TRIGGER servers_search_grams_insert;
DROP TABLE servers_search_grams;

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
