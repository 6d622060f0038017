"""``dipsample sync conflicts [--json]`` and ``dipsample sync settle ID keep|other``.

Why on the command line too: a QA lead settling the conflicts of a county after a
chaotic week, or IT checking that none are left, should not need the window. Each
conflict is listed as the thing it is about (the case, the audit and question, the
action, the sample item), both values in words, who wrote each and when; ``settle``
takes the listing's short id (or any first four or more characters of it) and goes
through the same rules as the Sync screen (desktop/sync/conflicts.py).
"""

from __future__ import annotations

import argparse

from desktop.cli.support import acting_context, emit, store_from
from desktop.errors import InputProblem
from desktop.sync import conflicts
from desktop.sync.conflicts import ConflictGroup

#: The words ``sync`` takes for these two.
CHOICES = ("conflicts", "settle")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The words after ``sync settle``: the conflict's id and keep or other."""
    parser.add_argument("words", nargs="*", metavar="ARG",
                        help="settle: the conflict's id (or its first characters), then "
                        "keep or other")


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        if args.what == "conflicts":
            groups = conflicts.open_conflicts(ctx)
            emit(args, groups, lambda: listing(groups))
            return 0
        words = list(getattr(args, "words", None) or [])
        if len(words) != 2:
            raise InputProblem("say which conflict and how: sync settle ID keep|other")
        done = conflicts.settle(ctx, words[0], words[1].lower())
    emit(args, done, f"settled {done.group_id[:8]}: {done.message}")
    return 0


def listing(groups: list[ConflictGroup]) -> str:
    """Each group: its short id, what it is about, then each field's two sides."""
    if not groups:
        return "no open conflicts"
    lines: list[str] = []
    for group in groups:
        lines.append(f"{group.short_id}  {group.kind}: {group.about}")
        for clash in group.fields:
            lines.append(f"    {clash.label}")
            lines.append(f"      kept:  {clash.kept.value}  ({clash.kept.by}, "
                         f"{clash.kept.at})")
            lines.append(f"      other: {clash.other.value}  ({clash.other.by}, "
                         f"{clash.other.at})")
    lines.append(f"{len(groups)} open conflict(s); settle one with "
                 "'dipsample sync settle ID keep|other'")
    return "\n".join(lines)
