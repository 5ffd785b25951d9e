"""Persistence: PynamoDB models and the queries on them. No HTTP, no rules."""
