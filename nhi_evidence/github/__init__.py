"""GitHub governance evidence: a read-only REST client, the governance collectors and the offline export."""
