"""Who may see and do what: passwords, roles, the guard every service calls.

See :mod:`desktop.services.auth.roles` for the table and docs/security.md for the story.
"""

from desktop.services.auth.guard import Actor, actor_of, allowed, guard
from desktop.services.auth.roles import Permission

__all__ = ["Actor", "Permission", "actor_of", "allowed", "guard"]
