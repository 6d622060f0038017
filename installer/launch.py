"""The bundled program's entry point: ``dipsample`` as the installed command runs it.

Why a script of its own and not ``desktop/__main__.py``: PyInstaller runs its entry
script as ``__main__``, outside the package, so a relative import or a package
``__main__`` would not resolve there.

Why ``--version`` is answered here, before the command line is imported: IT's scripts
and the installers' detection ask it, and in the bundle every module imported comes out
of the compressed archive; the version needs only the package's metadata (issue 26:
3.5 to 4.8 s, now well under half a second).
"""

import sys

if sys.argv[1:] in (["--version"], ["-V"]):
    from desktop import __version__

    print(f"dipsample {__version__}")
    raise SystemExit(0)

from desktop.cli.main import main

raise SystemExit(main())
