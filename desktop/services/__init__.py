"""Rules that know no Qt: callable from the CLI, a worker thread or a test.

Services take a :class:`~desktop.services.context.ServiceContext` (the store, the
acting user, the clock, progress and cancel) and return plain dataclasses.
"""
