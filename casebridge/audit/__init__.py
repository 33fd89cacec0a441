"""The append-only, hash-chained audit trail of every read and change of client data."""
