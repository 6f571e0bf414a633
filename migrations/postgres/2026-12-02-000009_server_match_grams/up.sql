-- `match` at a cost that does not grow with the table for a selective
-- needle (see server/src/servers.rs). pg_trgm's indexes of migration 4 read
-- whole posting lists: in names made of digits each trigram is in about one
-- name in a hundred. Here each position of each name is indexed by the (up
-- to) eight characters that start there, lower-cased, as one word of a
-- tsvector (its bytes in hex spelt with the letters a-p, so that the text
-- search parser keeps each one whole): a needle of three to eight
-- characters is one prefix query on the GIN index, which reads only the
-- grams it starts; a longer needle reads those of its first eight
-- characters, and ILIKE checks each candidate. The cost tells the planner
-- to prefer the index to computing this for every row; the body names
-- only built-in functions, so that it runs under any `search_path`
-- (ANALYZE and autovacuum evaluate it too).
DROP INDEX servers_hostname_trgm;
DROP INDEX servers_extname_trgm;

CREATE FUNCTION server_match_grams(hostname TEXT, extname TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
    SELECT to_tsvector('simple', COALESCE(string_agg(translate(encode(convert_to(substr(lower(name), i, 8), 'UTF8'), 'hex'),
        '0123456789abcdef', 'abcdefghijklmnop'), ' '), ''))
    FROM unnest(ARRAY[hostname, extname]) AS name, generate_series(1, length(name) - 2) AS i
$$;
CREATE INDEX servers_match_grams ON servers USING gin (server_match_grams(hostname, extname));
