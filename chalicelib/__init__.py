"""Aduan: the multi-tenant citizen-reporting backend (everything but the thin app.py)."""
