"""Pelican plugins of the news site: one concern per sub-package, each with `register()`."""
