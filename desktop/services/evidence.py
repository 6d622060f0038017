"""Tamper evidence for ``dipsample check``: the event log's chain, its anchors, the seals.

Why one service: the three answer one question, "was anything changed outside
DipSample?", and each finding is one line naming an entry, a device or an audit by
number or id, never any content (docs/security.md, 'Tamper evidence'):

- the keyed chain (``desktop/store/events.py``): an entry whose any column changed, or
  one inserted or removed;
- the anchors: this store's chain no longer holding a head it sent in a sync, and any
  device whose bundles showed two different hashes for one entry (it rebuilt its
  chain with the key after an edit);
- the seals (``desktop/services/audits/seal.py``): a submitted or finalised audit whose
  content no longer matches its latest seal.

Read through ``ctx.store`` on purpose: this is the event log's bookkeeping over the
whole store, not a person's view of records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.services.audits.seal import SealProblem, broken_seals
from desktop.services.context import ServiceContext
from desktop.store.events import AnchorProblem, ChainCheck, anchor_problems, verify_chain


@dataclass(frozen=True)
class Evidence:
    """What :func:`check_evidence` found; :meth:`lines` is one line per problem."""

    chain: ChainCheck
    anchors: list[AnchorProblem] = field(default_factory=list)
    seals: list[SealProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.anchors and not self.seals

    def lines(self) -> list[str]:
        out = [f"event log BROKEN at entry {b.seq}: {b.reason}" for b in self.chain.breaks]
        if self.chain.more_breaks:
            out.append(f"event log: {self.chain.more_breaks:,} more entries do not fit")
        out += [a.text() for a in self.anchors]
        out += [s.text() for s in self.seals]
        return out


def check_evidence(ctx: ServiceContext) -> Evidence:
    """Verify the chain, the anchored heads and every audit's latest seal."""
    with ctx.store.read() as session:
        return Evidence(verify_chain(session), anchor_problems(session),
                        broken_seals(session))
