"""Mail of the comments service: `mail` sends (SMTP, a background thread per worker) and `notify`
decides who is mailed about what. Their database rows live in core/storage/subscriptions.py."""
