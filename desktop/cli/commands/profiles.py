"""``dipsample profiles list|show NAME|draft FILE``: the caseload mapping profiles.

``list`` names the built-in profiles, ``show`` prints one as the JSON file a council
copies and adapts, and ``draft`` writes a starting mapping for a new export by matching
its headers against every built-in profile's column names; a person fills in what it
could not match (docs/mapping-profiles.md describes every key).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from desktop.cli.support import emit
from desktop.errors import EnvironmentProblem, UserError
from desktop.files import write_text
from desktop.services.caseload.draft import draft_mapping
from desktop.services.caseload.profiles import (
    ProfileProblem,
    builtin_folder,
    builtin_names,
    builtin_profiles,
)
from desktop.services.mapping_files import read_mapping_json
from desktop.services.standards.needs import gaps_sentence

DOCS = "docs/mapping-profiles.md"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "profiles", parents=[common], help="list, show or draft caseload mapping profiles",
        description=f"Caseload mapping profiles; every key is described in {DOCS}.")
    sub = parser.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)
    sub.add_parser("list", parents=[common], help="the built-in profiles").set_defaults(
        handler=run_list)
    show = sub.add_parser("show", parents=[common], help="one built-in profile's JSON")
    show.add_argument("name", metavar="NAME",
                      help="a built-in profile (mosaic, lcs, eclipse) or a mapping .json")
    show.set_defaults(handler=run_show)
    draft = sub.add_parser(
        "draft", parents=[common], help="a starting mapping for a new export",
        description="Match FILE's headers against every built-in profile's column names "
        "and write a mapping to finish by hand: fill in each empty column, check the value "
        f"words, then import with --profile the.json ({DOCS}).")
    draft.add_argument("file", type=Path, metavar="FILE", help="the .csv or .xlsx export")
    draft.add_argument("--output", "-o", type=Path, default=None, metavar="PATH",
                       help="write the mapping here (default: print it)")
    draft.add_argument("--name", default=None, help="the profile's name")
    draft.add_argument("--sheet", default=None, metavar="NAME",
                       help="the workbook's sheet to read (default: the first)")
    draft.add_argument("--force", action="store_true", help="overwrite --output")
    draft.set_defaults(handler=run_draft)


def run_list(args: argparse.Namespace) -> int:
    profiles = builtin_profiles()
    data = [{"name": p.name, "description": p.description,
             "required_columns": p.required_columns()} for p in profiles]
    width = max((len(p.name) for p in profiles), default=4)
    emit(args, data, lambda: "\n".join([f"{'name':<{width}}  description"]
                                       + [f"{p.name:<{width}}  {p.description}"
                                          for p in profiles]))
    return 0


def run_show(args: argparse.Namespace) -> int:
    if args.name not in builtin_names():
        raise ProfileProblem(f"unknown profile '{args.name}' (built-in: "
                             f"{', '.join(builtin_names())})")
    raw = read_mapping_json(builtin_folder() / f"{args.name}.json", args.name, ProfileProblem)
    print(json.dumps(raw, indent=2, ensure_ascii=False))
    return 0


def run_draft(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise EnvironmentProblem(f"{path}: no such file")
    out: Path | None = args.output
    if out is not None and out.exists() and not args.force:
        raise UserError(f"{out.name} exists; give --force to overwrite it")
    draft = draft_mapping(path, name=args.name, sheet=args.sheet)
    text = json.dumps(draft.mapping, indent=2, ensure_ascii=False) + "\n"
    todo = (f"fill in the column of: {', '.join(draft.unmatched_fields)}"
            if draft.unmatched_fields else "every required field is matched")
    more = [*draft.unrecognised_lines()]
    if draft.not_known:
        more.append(gaps_sentence(list(draft.not_known)))
    found = {"unmatched_fields": draft.unmatched_fields,
             "unused_columns": draft.unused_columns,
             "values_not_recognised": [{"kind": k, "rows": w.rows,
                                        "first_rows": w.first_rows}
                                       for k, w in draft.unrecognised],
             "standards_not_known": [{"standard": g.standard, "missing": list(g.missing),
                                      "words": g.words} for g in draft.not_known]}
    if out is None:
        if args.json:
            emit(args, {"mapping": draft.mapping, **found}, "")
        else:
            print(text, end="")
            print("\n".join([f"drafted from {path.name}: {todo}", *more]), file=sys.stderr)
        return 0
    # Handed out as every file the app writes is (desktop/files.py): whole, and
    # readable by its owner only. It holds the export's headers, no row; no store is
    # open here, so there is no export to log.
    write_text(out, text)
    emit(args, {"output": str(out), **found},
         "\n".join([f"wrote {out.name}: {todo}"
                    + (f"; columns not mapped: {', '.join(draft.unused_columns)}"
                       if draft.unused_columns else ""), *more]))
    return 0
