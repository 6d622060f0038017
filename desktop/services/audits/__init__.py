"""The audit workflow: templates answered, submitted, commented on, finalised, moderated.

Modules: ``lifecycle`` (draft to submission and reopening), ``answers`` (checking what
was typed), ``comments`` (comments and queries in the window), ``finalise`` (the
72-hour sweep), ``views`` (reading audits), ``moderation`` (blind re-grades),
``historical`` (importing a council's earlier results).
"""
