"""The Flask-free core of the comments: what the site build (plugins/comments) and the web app
share. Nothing here imports Flask, Werkzeug, Flask-Limiter or Alembic at import time (Alembic
only inside `storage.database.upgrade_schema`), and nothing here imports from the web app above.

- settings.py, defaults.py: the one resolver of every setting, and the defaults;
- comment.py: the one shape of a comment and its public view; limits.py: every size limit;
- storage/: the database (engine, migrations) and one query module per table;
- section.py + templates/comments.html: the one builder of an article's comments section;
- manifest.py: the threads the build publishes; tokens.py: signed tokens; render.py: comment
  Markdown to safe HTML; validation.py: the one input check; moderation.py: moderator actions;
  privacy.py: IP hashing and its purge; files.py: the atomic writer and the host-wide lock.
"""
