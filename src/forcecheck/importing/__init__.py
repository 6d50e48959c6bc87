"""Incident databases in: a declarative mapping turns each record into an attributed scenario."""
