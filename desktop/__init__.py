"""DipSample: dip-sample audits of children's social care case records.

Knowledge flows one way: ``views`` -> ``services`` -> ``store``. Nothing under
``services`` or ``store`` imports Qt, so every rule can be tested and scripted
without a screen.
"""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    """The one version number, written in pyproject.toml and nowhere else.

    Why from the installed metadata: ``--version``, the About dialog and every PDF
    footer must agree with what pip (or the installer, which bundles the metadata)
    installed. A checkout run without installing reads pyproject.toml itself.
    """
    try:
        return version("dipsample")
    except PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


__version__ = _version()
