-- The partial-match filters of the audit trail (search, resource_name) read a trigram index instead of scanning the
-- table: a full-text table of the lower-cased search columns, with the event's sequence as its rowid, kept in step
-- with audit_events by triggers. A phrase query of a text of three characters or more finds exactly the rows that
-- contain it, newest first, so a page stops after its rows. Contentless: the text stays in audit_events only.
-- No column sizes (nothing is ranked), and merges of the index's segments in wider, rarer steps: each one-event
-- commit then writes about a third less.
CREATE VIRTUAL TABLE audit_search USING fts5(search_text, name_search, content = '', columnsize = 0,
    tokenize = 'trigram');
INSERT INTO audit_search (audit_search, rank) VALUES ('automerge', 8);
INSERT INTO audit_search (audit_search, rank) VALUES ('crisismerge', 64);

INSERT INTO audit_search (rowid, search_text, name_search)
SELECT sequence, search_text, name_search FROM audit_events;

CREATE TRIGGER audit_search_insert AFTER INSERT ON audit_events
BEGIN
    INSERT INTO audit_search (rowid, search_text, name_search) VALUES (new.sequence, new.search_text, new.name_search);
END;

CREATE TRIGGER audit_search_delete AFTER DELETE ON audit_events
BEGIN
    INSERT INTO audit_search (audit_search, rowid, search_text, name_search)
    VALUES ('delete', old.sequence, old.search_text, old.name_search);
END;

CREATE TRIGGER audit_search_update AFTER UPDATE OF sequence, search_text, name_search ON audit_events
BEGIN
    INSERT INTO audit_search (audit_search, rowid, search_text, name_search)
    VALUES ('delete', old.sequence, old.search_text, old.name_search);
    INSERT INTO audit_search (rowid, search_text, name_search) VALUES (new.sequence, new.search_text, new.name_search);
END;
