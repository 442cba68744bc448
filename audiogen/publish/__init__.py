"""Publishing: many articles as episodes (batch, sources, episodes), their podcast feed,
and the player for article pages."""
