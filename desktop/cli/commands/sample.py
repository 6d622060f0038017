"""``dipsample sample``: draw, show, replace and check the weekly samples.

Modes:
  --auditor ID --week W            one auditor's weekly sample (drawn once, then shown)
  --area NAME --week W             coordinator mode: every auditor of the area at once
  --auditor ID --week W --targeted --size N [--cohort C] [--team T] [--worker W]
                                   [--flag F] [--rag R] [--target-area A]
  --replace ITEM_ID --reason R [--note TEXT]   drop a sampled case, get a replacement
  --collisions --week W            cases claimed by more than one auditor that week

``--json`` prints ``{"week": W, "samples": [{"auditor_id", "items": [{"case_ref",
"rag", "reason", "selection_probability", "design_stratum", ...}], "shortfalls": [...],
...}]}`` (a targeted pick's probability and stratum are null: not known); an area's
draw adds ``"not_auditors": [{"user_id", "name", "roles"}]``, its people with no auditor
role, whom no sample was drawn for (the text names them). Exit code 1
when a sample holds fewer cases than asked for (the shortfall is printed), or when
collisions are found.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.support import acting_user_id, emit, progress_printer, store_from
from desktop.errors import InputProblem, UserError
from desktop.models import SampleItem
from desktop.models.enums import DropReason
from desktop.services.context import ServiceContext
from desktop.services.people.ids import expand_id, short_id
from desktop.services.people.names import find_service_area, service_area_names, user_labels
from desktop.services.sampling.claims import claim_collisions
from desktop.services.sampling.records import SampleView, shortfall_to_dict
from desktop.services.sampling.replacement import replace_item
from desktop.services.sampling.targeted import TargetCriteria, draw_targeted
from desktop.services.sampling.weekly import AreaDraw, draw_area, draw_weekly
from desktop.services.sampling.weeks import parse_week


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("sample", parents=[common],
                                   help="draw or show weekly and targeted samples")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--auditor", help="the auditor's user id or username")
    who.add_argument("--area", help="coordinator mode: every auditor of this service area")
    who.add_argument("--replace", metavar="ITEM_ID", help="replace this sample item")
    who.add_argument("--collisions", action="store_true",
                     help="list cases claimed by more than one auditor in --week")
    parser.add_argument("--week", metavar="YYYY-Www",
                        help="ISO week, e.g. 2026-W48 or 2026-w48; required, except with "
                        "--replace (the item knows its week)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default: derived from the week)")
    parser.add_argument("--dry-run", action="store_true", help="draw but do not save or claim")
    parser.add_argument("--targeted", action="store_true", help="a targeted sample")
    parser.add_argument("--size", type=int, default=None, help="targeted sample size")
    parser.add_argument("--cohort", default=None, help="targeted: cohort code")
    parser.add_argument("--team", default=None, help="targeted: team name")
    parser.add_argument("--worker", default=None, help="targeted: worker staff reference")
    parser.add_argument("--flag", default=None, help="targeted: case flag code")
    parser.add_argument("--rag", default=None, choices=["red", "amber", "green"],
                        help="targeted: RAG")
    parser.add_argument("--target-area", default=None, help="targeted: service area name")
    parser.add_argument("--reason", choices=[r.value for r in DropReason],
                        help="why the case is dropped (with --replace)")
    parser.add_argument("--note", default="", help="explanation (required for 'other')")
    parser.set_defaults(handler=run)


def sample_json(view: SampleView) -> dict[str, Any]:
    return {"auditor_id": view.auditor_id, "sample_id": view.sample_id, "kind": view.kind,
            "seed": view.seed, "saved": view.saved, "existing": view.existing,
            "items": [{"case_ref": i.case_ref, "case_id": i.case_id, "rag": i.rag,
                       "stratum": i.stratum, "reason": i.reason, "status": i.status,
                       "item_id": i.item_id, "drop_reason": i.drop_reason,
                       "replaces_item_id": i.replaces_item_id,
                       "selection_probability": i.probability,
                       "design_stratum": i.design_stratum} for i in view.items],
            "shortfalls": [shortfall_to_dict(s) for s in view.shortfalls]}


ITEM_HEADER = f"  {'case':<14}{'rag':<7}{'why chosen':<50} item"


def sample_text(view: SampleView, names: dict[str, str]) -> list[str]:
    state = ("saved earlier" if view.existing else "saved and claimed" if view.saved
             else "not saved (dry run)")
    lines = [f"{names.get(view.auditor_id, short_id(view.auditor_id))}: "
             f"{len(view.active_items)} cases, {view.kind}, seed {view.seed}, {state}"]
    if view.items:
        lines.append(ITEM_HEADER)
    for item in view.items:
        mark = f" [dropped: {item.drop_reason}]" if item.status == "dropped" else ""
        lines.append(f"  {item.case_ref:<14}{item.rag or '?':<7}{item.reason:<50} "
                     f"{short_id(item.item_id)}{mark}")
    lines += [f"  SHORTFALL: {s.text}" for s in view.shortfalls]
    return lines


def _need_week(args: argparse.Namespace) -> str:
    if not args.week:
        raise UserError("--week is required, e.g. --week 2026-W48")  # usage: exit 2
    return parse_week(args.week)


def _area(ctx: ServiceContext, name: str) -> str:
    """The area as stored (any letter case); an unknown one is refused with the list."""
    with ctx.store.read() as session:
        found = find_service_area(session, name)
        known = service_area_names(session)
    if found is None:
        listed = "; ".join(known) if known else "none yet (import a caseload or a staff list)"
        raise InputProblem(f"no service area '{name.strip()}'; the service areas are: "
                           f"{listed}")
    return found


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args),
                             progress=progress_printer(args))
        if args.replace:
            return _replace(ctx, args)
        week = _need_week(args)
        area_draw: AreaDraw | None = None
        if args.collisions:
            return _collisions(ctx, args, week)
        if args.targeted:
            if args.auditor is None or args.size is None:
                raise UserError("a targeted sample needs --auditor and --size")
            criteria = TargetCriteria(cohort=args.cohort, team=args.team, worker=args.worker,
                                      flag=args.flag, area=args.target_area, rag=args.rag)
            samples = [draw_targeted(ctx, args.auditor, week, criteria, args.size,
                                     seed=args.seed, dry_run=args.dry_run)]
        elif args.auditor is not None:
            samples = [draw_weekly(ctx, args.auditor, week, seed=args.seed,
                                   dry_run=args.dry_run)]
        else:
            drawn = draw_area(ctx, _area(ctx, args.area), week, seed=args.seed,
                              dry_run=args.dry_run)
            samples, area_draw = drawn.samples, drawn
        with store.read() as session:
            names = user_labels(session, [s.auditor_id for s in samples])
    data: dict[str, Any] = {"week": week, "samples": [sample_json(s) for s in samples]}
    lines = [line for s in samples for line in sample_text(s, names)]
    if area_draw is not None:
        # Everyone of the area the draw left out, by name (issue 25, item 2).
        data["not_auditors"] = [{"user_id": p.user_id, "name": p.name, "roles": list(p.roles)}
                                for p in area_draw.not_auditors]
        lines += [area_draw.left_out] if area_draw.left_out else []
    emit(args, data, lambda: "\n".join(lines))
    short = any(s.unfilled for v in samples for s in v.shortfalls)
    return 1 if short else 0


def _replace(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.reason is None:
        raise UserError("--replace needs --reason")
    with ctx.store.read() as session:
        item_id = expand_id(session, SampleItem, args.replace, "sample item")
    result = replace_item(ctx, item_id, args.reason, args.note)
    emit(args, result, f"dropped item {short_id(result.dropped_item_id)}; replaced by "
         f"{result.case_ref} ({result.rag}): {result.reason}")
    return 0


def _collisions(ctx: ServiceContext, args: argparse.Namespace, week: str) -> int:
    found = claim_collisions(ctx, week)
    emit(args, found, lambda: "\n".join(
        [f"{c.case_ref}: claimed by {len(c.claims)} auditors" for c in found]
        or [f"no collisions in {week}"]))
    return 1 if found else 0
