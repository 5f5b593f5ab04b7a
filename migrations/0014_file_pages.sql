-- A PDF's number of pages, counted when it is uploaded (issue 19), so that lists of papers and
-- attachments can say "12 pages" beside the size without opening the file. Empty for other
-- kinds of file, for a PDF that could not be read, and for files kept before this.
ALTER TABLE files ADD COLUMN page_count BIGINT;
