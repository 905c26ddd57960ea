"""The audit: an append-only record of sign-ins, restricted reads and changes."""
