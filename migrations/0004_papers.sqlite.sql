-- SQLite: an FTS5 index over the search entries, kept in step by triggers.
CREATE VIRTUAL TABLE search_fts USING fts5(title, content, content='search_entries', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
  INSERT INTO search_fts(rowid, title, content) VALUES (new.id, new.title, new.content);
END;
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
END;
CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
  INSERT INTO search_fts(rowid, title, content) VALUES (new.id, new.title, new.content);
END;
CREATE INDEX search_entries_by_partnership ON search_entries (partnership_id, kind);
