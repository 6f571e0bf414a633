DROP INDEX servers_match_grams;
DROP FUNCTION server_match_grams(TEXT, TEXT);
CREATE INDEX servers_hostname_trgm ON servers USING gin (hostname public.gin_trgm_ops);
CREATE INDEX servers_extname_trgm ON servers USING gin (extname public.gin_trgm_ops);
