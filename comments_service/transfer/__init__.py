"""Export and import of every thread and comment, with the moderation log and the import keys,
in one documented JSON format (comments-export.schema.json, in this package):
`flask --app comments_service export FILE` and `flask --app comments_service import FILE` (FILE
may be `-` for stdout/stdin).

Export → import into an empty database is lossless: ids, states, texts, rendered HTML, IP hashes,
spam flags, moderators' reasons, votes, edits waiting for a moderator, log entries, import keys
and timestamps (to the microsecond) come back as they were, on SQLite and PostgreSQL alike.
Import checks the whole file first (schema, then references between items) and names the first
offending item; it writes in ONE transaction, so a bad file or a failing write leaves the
database untouched. It refuses a database that already holds anything in a table it writes:
ids and keys are kept, so merging two sets could collide (import into a fresh database instead).

`import --from isso|disqus|wordpress FILE` reads another system's export instead (the importers
package converts it into this format; docs/migration.md): the same checks and the same single
transaction, plus a check that every thread is an article of the build's thread manifest.

- document.py: the format; export_document, and check_document that turns a document into rows;
- records.py: the tables besides threads and comments, one Section each (document array, fields,
  keys, the comment an item names), which export, checks and store all follow;
- store.py: write_import, the rows into an empty database in the caller's transaction;
- cli.py: the two commands (init_app), the only module here that needs Flask and click.

Importing this package, document.py, records.py or store.py loads no Flask and no click: the
commands are registered by create_app through cli.init_app, and the document logic stays usable
(and testable) without an app.
"""
