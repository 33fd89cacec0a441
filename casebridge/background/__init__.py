"""Background work that survives a dying worker: emails sent once, and tasks of dead workers
picked up again."""
