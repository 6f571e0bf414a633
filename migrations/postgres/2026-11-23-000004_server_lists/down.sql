-- The pg_trgm extension stays: other schemas of the database may use it.
DROP INDEX servers_extname_trgm;
DROP INDEX servers_hostname_trgm;
DROP TRIGGER server_blocks_delete ON servers;
DROP TRIGGER server_blocks_insert ON servers;
DROP FUNCTION server_blocks_delete();
DROP FUNCTION server_blocks_insert();
DROP TABLE server_blocks;
DROP TRIGGER users_count_move ON users;
DROP TRIGGER users_count_delete ON users;
DROP TRIGGER users_count_insert ON users;
DROP FUNCTION users_count();
DROP TRIGGER domains_count_move ON domains;
DROP TRIGGER domains_count_delete ON domains;
DROP TRIGGER domains_count_insert ON domains;
DROP FUNCTION domains_count();
DROP INDEX servers_user_count;
ALTER TABLE servers DROP COLUMN user_count;
ALTER TABLE servers DROP COLUMN domain_count;
