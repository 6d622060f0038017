"""Sync with a shared network folder or a central PostgreSQL database (docs/sync.md).

``engine`` (one sync: push, then pull), its two targets ``folder`` and ``central``,
``bundle`` (what travels, sealed with AES-GCM), ``collect`` (what a push sends),
``merge`` (applying what others sent, field by field), ``snapshot`` (where a new laptop
starts), ``conflicts`` (what a person settles) and ``status`` (the target, the state,
the log) for the CLI and the window.
"""
