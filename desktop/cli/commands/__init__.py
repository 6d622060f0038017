"""One module per subcommand. Each exposes ``register(subparsers, common)``.

Why discovery: later issues add subcommands without touching ``main.py``.
"""
