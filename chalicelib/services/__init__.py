"""Use cases, one function each: they orchestrate domain rules, the store and the adapters."""
