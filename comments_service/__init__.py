"""The comments service (placeholder until the Flask app lands)."""
