INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('automerge', 4);
