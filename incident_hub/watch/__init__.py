"""Feed watching: sources, items, alerts, and the rules-based relevance classifier."""
