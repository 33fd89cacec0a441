"""Consent to disclose under 42 CFR Part 2, the one disclosure gate, and the accounting of
disclosures."""
