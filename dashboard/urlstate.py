"""The view state that lives in the URL query string, so a pasted link reproduces the view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from dashboard.i18n import DEFAULT_LANGUAGE, normalise_language


def _codes(raw: list[str] | None, allowed: Sequence[str]) -> tuple[str, ...] | None:
    if raw is None:
        return None
    wanted = {c.strip().upper() for part in raw for c in part.split(",") if c.strip()}
    # Keep protocol order; codes that are not in the protocol are dropped.
    return tuple(c for c in allowed if c in wanted)


PAGE_PARAM = re.compile(r"^(q_[a-z][a-z0-9_]{0,39}|only)$")
MAX_PAGE_VALUE = 200


def _page_params(q: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    """A page's own state: a listing's search text (q_<listing>), its switches (only)."""
    out = []
    for key in sorted(q):
        value = q[key][0].strip()[:MAX_PAGE_VALUE] if q[key] else ""
        if PAGE_PARAM.match(key) and value:
            out.append((key, value))
    return tuple(out[:20])


def _since(raw: list[str] | None) -> str | None:
    value = (raw or [""])[0].strip().lower()
    return value if value == "last" or (value.isdigit() and len(value) < 10) else None


@dataclass(frozen=True)
class ViewState:
    """Filters and display options of a view. None means "not restricted" / "default"."""

    centers: tuple[str, ...] | None = None
    arms: tuple[str, ...] | None = None
    as_of: dt.date | None = None
    lang: str = DEFAULT_LANGUAGE
    present: bool = False
    # A data cut to compare with: its id, or "last" (the last labelled cut: the last meeting).
    since: str | None = None
    # The page's own state (a listing's search text, its switches), kept across filter changes.
    page: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_search(
        cls, search: str | None, center_codes: Sequence[str], arm_codes: Sequence[str]
    ) -> ViewState:
        """Parse '?center=SH1,PKU&arm=RFA_PVA&as_of=2026-01-31&lang=zh', ignoring junk."""
        q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
        as_of = None
        if q.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(q["as_of"][0])
            except ValueError:
                as_of = None
        centers = _codes(q.get("center"), center_codes)
        arms = _codes(q.get("arm"), arm_codes)
        return cls(
            centers=centers,
            arms=arms if arms is None or len(arms) < len(arm_codes) else None,
            as_of=as_of,
            lang=normalise_language(q.get("lang", [""])[0]),
            present=(q.get("present") or ["0"])[0] in ("1", "true", "yes"),
            since=_since(q.get("since")),
            page=_page_params(q),
        )

    @classmethod
    def from_controls(
        cls,
        centers: Sequence[str] | None,
        arms: Sequence[str] | None,
        as_of: str | None,
        lang: str | None,
        center_codes: Sequence[str],
        arm_codes: Sequence[str],
        default_as_of: dt.date,
        present: bool = False,
    ) -> ViewState:
        """The view the filter controls describe; "everything selected" is stored as no filter."""
        chosen_centers = tuple(c for c in center_codes if c in (centers or []))
        chosen_arms = tuple(a for a in arm_codes if a in (arms or []))
        try:
            day = dt.date.fromisoformat(as_of[:10]) if as_of else None
        except ValueError:
            day = None
        return cls(
            centers=None if len(chosen_centers) == len(center_codes) else chosen_centers,
            arms=None if len(chosen_arms) == len(arm_codes) else chosen_arms,
            as_of=None if day == default_as_of else day,
            lang=normalise_language(lang),
            present=present,
        )

    def to_search(self) -> str:
        """The query string ('' when nothing is set), stable in its order."""
        params: list[tuple[str, str]] = []
        if self.centers is not None:
            params.append(("center", ",".join(self.centers)))
        if self.arms is not None:
            params.append(("arm", ",".join(self.arms)))
        if self.as_of is not None:
            params.append(("as_of", self.as_of.isoformat()))
        if self.lang != DEFAULT_LANGUAGE:
            params.append(("lang", self.lang))
        if self.present:
            params.append(("present", "1"))
        if self.since:
            params.append(("since", self.since))
        params += list(self.page)
        return "?" + urlencode(params, safe=",") if params else ""

    def param(self, key: str) -> str:
        """A page parameter's value ('' when unset)."""
        return dict(self.page).get(key, "")

    def with_param(self, key: str, value: str) -> ViewState:
        """The view with a page parameter set ('' removes it)."""
        kept = {k: v for k, v in self.page if k != key}
        value = value.strip()[:MAX_PAGE_VALUE]
        if value and PAGE_PARAM.match(key):
            kept[key] = value
        return replace(self, page=tuple(sorted(kept.items())))

    def shared(self) -> ViewState:
        """The view without the page's own state (what links to other pages carry)."""
        return replace(self, page=())
