"""SAS transport (XPORT v5) files read whole or refused: a cut or damaged file never imports.

pyreadstat reads what it can of a truncated file and says nothing. The v5 format has no record
count, but its layout does: the file is whole 80-byte records; after the OBS header come
fixed-length observations (the sum of the variable lengths in the NAMESTR records) and then
blank padding to the next 80 bytes. A file cut anywhere but at a boundary that is both an
observation and an 80-byte record leaves a size that is not a multiple of 80 or a partial
observation, and the rows the reader returned must equal the observations the size holds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

RECORD = 80
NAMESTR_HEADER = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!"
OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
MEMBER_HEADER = b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!"


class XptDamaged(Exception):
    """The file is not a whole SAS transport file; the message says what is wrong."""


@dataclass(frozen=True)
class XptLayout:
    """What a v5 transport file's headers say about its observations."""

    variables: int
    observation_length: int
    observations: int


def layout(raw: bytes) -> XptLayout:
    """Observation length and count of a one-member v5 transport file, from its bytes."""
    if len(raw) % RECORD:
        raise XptDamaged(
            f"its size ({len(raw):,} bytes) is not a whole number of 80-byte records: "
            "the file is cut or damaged"
        )
    if raw.count(MEMBER_HEADER) != 1:
        raise XptDamaged("it must hold exactly one dataset (member)")
    at = raw.find(NAMESTR_HEADER)
    obs_at = raw.find(OBS_HEADER)
    if at < 0 or obs_at < 0:
        raise XptDamaged("its NAMESTR or OBS header is missing: not a SAS transport file")
    header = raw[at : at + RECORD]
    try:
        variables = int(header[54:58])
    except ValueError:
        raise XptDamaged("its NAMESTR header does not give the number of variables") from None
    member = raw[raw.find(MEMBER_HEADER) : raw.find(MEMBER_HEADER) + RECORD]
    namestr_len = 136 if member[74:78] == b"0136" else 140
    first = at + RECORD
    lengths = []
    for i in range(variables):
        rec = raw[first + i * namestr_len : first + (i + 1) * namestr_len]
        if len(rec) < 8:
            raise XptDamaged("its variable descriptions are cut short")
        lengths.append(struct.unpack(">h", rec[4:6])[0])
    obs_len = sum(lengths)
    if obs_len <= 0:
        raise XptDamaged("its variables have no length")
    data = raw[obs_at + RECORD :]
    count = len(data) // obs_len
    rest = data[count * obs_len :]
    if rest.strip(b" "):
        raise XptDamaged(
            f"it ends inside an observation (after {count:,} whole ones): the file is cut"
        )
    # The last 80-byte record is padded with blanks; a whole blank observation is padding.
    while count and not data[(count - 1) * obs_len : count * obs_len].strip(b" "):
        count -= 1
    return XptLayout(variables, obs_len, count)


def read_xpt(path: Path) -> pd.DataFrame:
    """Read a transport file, refusing it (XptDamaged) unless every observation was read."""
    import pyreadstat

    raw = path.read_bytes()
    expected = layout(raw)
    try:
        df, _meta = pyreadstat.read_xport(str(path))
    except Exception as exc:  # pyreadstat raises its own error types
        raise XptDamaged(f"cannot be read as SAS transport: {exc}") from exc
    if len(df) != expected.observations:
        raise XptDamaged(
            f"its size holds {expected.observations:,} observations but {len(df):,} "
            "could be read: the file is cut or damaged"
        )
    df.columns = [str(c).upper() for c in df.columns]
    return df
