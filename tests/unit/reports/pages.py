"""What every page of every printed report carries, checked on a PDF read back."""

from __future__ import annotations


def marked_and_numbered(pages: list[str]) -> None:
    """The protective marking at the top and foot of each page, and "Page n of N"."""
    assert pages, "the document has no pages"
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2, number
        assert f"Page {number} of {len(pages)}" in page
