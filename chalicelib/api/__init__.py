"""HTTP edge: Chalice blueprints by audience. Parse, call one use case, respond."""
