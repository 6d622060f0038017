"""Draw DipSample's icon and write it in every format the installers need.

    .venv/bin/python installer/make_icons.py

Writes resources/icons/: ``dipsample.png`` (1024 px, the source), ``dipsample.ico``
(16 to 256 px: the EXEs, the Start-menu entry, Add or remove programs, the MSI) and
``dipsample.icns`` (macOS: the app bundle and the disk image). The files are kept in
the repository, so a build needs nothing but them; run this again only to change the
drawing.

Why drawn in code: the application had no icon, and AppLocker rules, Intune's app list
and the Start menu show one; a drawing kept as code is reviewable and reproducible
without an image editor. The picture: a case record (a white sheet) with three rows
marked red, amber and green, on a dark teal square;
it stays legible at 16 px because it is only those few shapes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "resources" / "icons"
SIZE = 1024
TEAL = (15, 92, 110, 255)
SHEET = (255, 255, 255, 255)
LINE = (150, 165, 172, 255)
RAG = ((196, 43, 28, 255), (232, 146, 12, 255), (34, 139, 68, 255))
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = SIZE) -> Image.Image:
    """The icon at ``size`` pixels, drawn at 4x and reduced (smooth edges)."""
    big = size * 4
    unit = big / 1024
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((40 * unit, 40 * unit, 984 * unit, 984 * unit), radius=200 * unit,
                          fill=TEAL)
    left, top, right, bottom = 230 * unit, 150 * unit, 794 * unit, 874 * unit
    fold = 150 * unit
    pen.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom),
                 (left, bottom)], fill=SHEET)
    pen.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)],
                fill=LINE)
    for row, colour in enumerate(RAG):
        middle = (390 + row * 190) * unit
        radius = 58 * unit
        pen.ellipse((330 * unit - radius, middle - radius, 330 * unit + radius,
                     middle + radius), fill=colour)
        pen.rounded_rectangle((430 * unit, middle - 30 * unit, 700 * unit, middle + 30 * unit),
                              radius=30 * unit, fill=LINE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    icon = draw()
    icon.save(FOLDER / "dipsample.png", optimize=True)
    icon.save(FOLDER / "dipsample.ico", sizes=ICO_SIZES)
    icon.save(FOLDER / "dipsample.icns")
    for name in ("dipsample.png", "dipsample.ico", "dipsample.icns"):
        print(f"{FOLDER / name}: {(FOLDER / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
