"""The bundled program's entry point: ``dipsample`` as the installed command runs it.

Why a script of its own and not ``desktop/__main__.py``: PyInstaller runs its entry
script as ``__main__``, outside the package, so a relative import or a package
``__main__`` would not resolve there.
"""

from desktop.cli.main import main

raise SystemExit(main())
