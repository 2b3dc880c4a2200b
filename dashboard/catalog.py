"""The gettext catalogs behind `t()` and `tn()` (Babel): English in the code, the rest in `.po`.

Each message is one catalog entry: msgctxt = the key the code uses, msgid = the English text
(MESSAGES, PLURALS in dashboard/i18n.py), msgstr = the translation. `messages.pot` is extracted
from the code; `locale/<lang>/LC_MESSAGES/messages.po` is what a translator edits, with their
usual tools (Poedit, Weblate...), plural forms included.

    python -m dashboard i18n extract   # write locale/messages.pot from the code
    python -m dashboard i18n update    # merge it into every .po (new entries empty, changed fuzzy)
    python -m dashboard i18n check     # untranslated, fuzzy or stale entries; exit 1 if any

A translation whose English changed since it was made (its msgid differs from the code's) is
not used: the English shows until it is translated again, and `check` (and a test) says so.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
LOCALES = {"zh": "zh_Hans_CN"}


@dataclass(frozen=True)
class Entry:
    """A translation: the English it was made for, and its text (or plural forms)."""

    english: str | tuple[str, str]
    text: str | tuple[str, ...]


@dataclass(frozen=True)
class Loaded:
    """One language's catalog, by key, with its plural rule."""

    entries: dict[str, Entry]
    plural: Callable[[int], int]


def po_path(lang: str) -> Path:
    """Where a language's catalog lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def load(lang: str) -> Loaded:
    """The catalog of a language (empty when there is none); fuzzy entries are left out."""
    from babel.messages.pofile import read_po

    path = po_path(lang)
    if not path.exists():
        return Loaded({}, lambda n: 0)
    with path.open("rb") as f:
        cat = read_po(f, locale=LOCALES.get(lang, lang))
    entries: dict[str, Entry] = {}
    for m in cat:
        if not m.id or m.fuzzy or not m.context:
            continue
        if isinstance(m.id, tuple | list):
            forms = tuple(str(s) for s in (m.string or ()))
            if all(forms):
                entries[str(m.context)] = Entry((str(m.id[0]), str(m.id[1])), forms)
        elif m.string:
            entries[str(m.context)] = Entry(str(m.id), str(m.string))
    expr = cat.plural_expr or "0"
    return Loaded(entries, gettext.c2py(expr))


def _catalog_from_code() -> Catalog:

    from dashboard.i18n import MESSAGES, PLURALS

    cat = Catalog(project="trial-dashboard", version="1", charset="utf-8", fuzzy=False)
    for key, en in MESSAGES.items():
        cat.add(en, None, context=key)
    for key, (one, other) in PLURALS.items():
        cat.add((one, other), None, context=key)
    return cat


def extract(path: Path | None = None) -> Path:
    """Write the template (.pot) from the English in the code."""
    from babel.messages.pofile import write_po

    out = path or LOCALE_DIR / f"{DOMAIN}.pot"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        write_po(f, _catalog_from_code(), width=100, omit_header=False, sort_output=False)
    return out


def update() -> list[Path]:
    """Merge the code's messages into every language's .po (Babel's update)."""
    from babel.messages.pofile import read_po, write_po

    template = _catalog_from_code()
    done = []
    for lang, locale in LOCALES.items():
        path = po_path(lang)
        with path.open("rb") as f:
            cat = read_po(f, locale=locale)
        cat.update(template, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, cat, width=100, ignore_obsolete=True, sort_output=False)
        done.append(path)
    load.cache_clear()
    return done


def problems(lang: str) -> list[str]:
    """Messages of the code with no current translation in a language."""
    from dashboard.i18n import MESSAGES, PLURALS

    entries = load(lang).entries
    out = []
    for key, en in MESSAGES.items():
        e = entries.get(key)
        if e is None:
            out.append(f"{lang}: {key}: not translated")
        elif e.english != en:
            out.append(f"{lang}: {key}: the English changed since it was translated")
    for key, forms in PLURALS.items():
        e = entries.get(key)
        if e is None:
            out.append(f"{lang}: {key}: not translated (plural)")
        elif e.english != forms:
            out.append(f"{lang}: {key}: the English changed since it was translated")
    return out
