"""What reviewers see: a report's failed checks, expected against found, and where each cell came from."""
