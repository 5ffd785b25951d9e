"""Handlers for queue and stream events; the same functions run in Lambda and in the local pollers."""
