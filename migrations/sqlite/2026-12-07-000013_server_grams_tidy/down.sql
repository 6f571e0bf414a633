INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('usermerge', 4);
