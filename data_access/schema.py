"""The trial database contract (shared/design/SCHEMA.md) as SQLAlchemy Core tables."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

metadata = MetaData()

# Value ranges (NRS 0-10, grade 1-5, ...) are deliberately NOT CHECK constraints: a real export
# carries out-of-range values, and the data-quality checks must be able to find and list them.

centers = Table(
    "centers",
    metadata,
    Column("center_id", Text, primary_key=True, comment="SH1, SMU3, PKU for this trial"),
    Column("name", Text, nullable=False),
    Column("activated_on", Date, comment="site initiation; no enrollment expected before it"),
)

subjects = Table(
    "subjects",
    metadata,
    Column("subject_id", Text, primary_key=True, comment="pseudonymous, e.g. SH1-014"),
    Column("center_id", Text, ForeignKey("centers.center_id"), nullable=False),
    Column("screened_on", Date, nullable=False),
    Column("eligible", Boolean, nullable=False, comment="screening outcome"),
    Column("screen_failure_reason", Text, comment="when not eligible"),
    Column("consented_on", Date),
    Column("sex", Text, comment="F, M"),
    Column("age_years", Integer),
    Column("primary_tumor", Text, comment="lung, breast, prostate, kidney, liver, thyroid, other"),
    Column("baseline_nrs", Integer, comment="0-10"),
    Column("baseline_pafi", Integer, comment="0-10"),
    Column("baseline_omed_mg", Float, comment="daily oral morphine equivalent, mg/day"),
    Column("baseline_imaging_on", Date, comment="MRI/CT of the spine"),
    Column("treated_levels", Text, comment="comma-separated vertebral levels, e.g. T12,L1"),
    Column("procedure_on", Date, comment="RFA/PVA date: day 0"),
    Column("randomized_on", Date, comment="enrolled = randomized"),
    Column(
        "arm", Text, comment="arm as randomized (a protocol arm code); null when not randomized"
    ),
    Column(
        "actual_arm",
        Text,
        comment="arm as treated (safety population) when the data say it; null = same as arm",
    ),
    Column("off_study_on", Date),
    Column("off_study_reason", Text, comment="completed, withdrew, lost_to_follow_up, died, other"),
)

sbrt_courses = Table(
    "sbrt_courses",
    metadata,
    Column("subject_id", Text, ForeignKey("subjects.subject_id"), primary_key=True),
    Column("started_on", Date, nullable=False),
    Column("completed_on", Date),
    Column("fractions", Integer, nullable=False),
    Column("total_dose_gy", Float, nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("subject_id", Text, ForeignKey("subjects.subject_id"), primary_key=True),
    Column("visit_code", Text, primary_key=True, comment="W1, W2, W4, M3, M6, M12"),
    Column("assessed_on", Date, nullable=False),
    Column("nrs", Integer, comment="0-10"),
    Column("pafi", Integer, comment="0-10"),
    Column("omed_mg", Float),
)

imaging = Table(
    "imaging",
    metadata,
    Column("subject_id", Text, ForeignKey("subjects.subject_id"), primary_key=True),
    Column("visit_code", Text, primary_key=True),
    Column("imaged_on", Date, nullable=False),
    Column("modality", Text, comment="MRI, CT"),
    Column("mda_response", Text, nullable=False, comment="CR, PR, SD, PD, NE"),
)

adverse_events = Table(
    "adverse_events",
    metadata,
    Column("ae_id", Integer, primary_key=True, autoincrement=False),
    Column("subject_id", Text, ForeignKey("subjects.subject_id"), nullable=False),
    Column("term", Text, nullable=False, comment="CTCAE term"),
    Column("soc", Text, comment="MedDRA system organ class"),
    Column("grade", Integer, nullable=False, comment="CTCAE 1-5"),
    Column("serious", Boolean, nullable=False, comment="ICH E2A; separate from grade"),
    Column("attribution", Text, comment="procedure, sbrt, both, related, unrelated, unknown"),
    Column("onset_on", Date, nullable=False),
    Column("resolved_on", Date),
    Column(
        "outcome",
        Text,
        comment="recovered, recovering, not_recovered, sequelae, fatal, unknown",
    ),
    Column("reported_on", Date, comment="date it entered the database"),
    Column(
        "grade_scale",
        Text,
        comment="added: ctcae (or null) = CTCAE grade; severity = the source had only a "
        "severity (mild 1, moderate 2, severe 3), and the pages say severity",
    ),
    Column(
        "emergent",
        Boolean,
        comment="added: false = not treatment-emergent (began before the study treatment, "
        "e.g. history recorded as an AE): listed as 'before treatment', kept out of the "
        "safety tables, reporting lag and rates; true or null = treatment-emergent",
    ),
)

deviations = Table(
    "deviations",
    metadata,
    Column("deviation_id", Integer, primary_key=True, autoincrement=False),
    Column("subject_id", Text, ForeignKey("subjects.subject_id"), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("category", Text, nullable=False),
    Column("major", Boolean, nullable=False),
    Column("description", Text),
)

# The values the contract allows in its coded columns: what an importer's mapping may produce
# (a source's own values outside these are kept as recorded and found by the data-quality
# checks, never silently recoded).
CODED_VALUES: dict[str, tuple[str, ...]] = {
    "subjects.sex": ("F", "M"),
    "subjects.off_study_reason": ("completed", "withdrew", "lost_to_follow_up", "died", "other"),
    "adverse_events.attribution": ("procedure", "sbrt", "both", "related", "unrelated", "unknown"),
    "adverse_events.outcome": (
        "recovered",
        "recovering",
        "not_recovered",
        "sequelae",
        "fatal",
        "unknown",
    ),
    "adverse_events.grade_scale": ("ctcae", "severity"),
    "imaging.mda_response": ("CR", "PR", "SD", "PD", "NE"),
}

# An added table (allowed by the contract): facts about the load itself, written by the demo
# generator and the importers. `as_of` is the date the data describe; `loaded_at` changes on
# every load and feeds the data version that cache keys carry.
trial_meta = Table(
    "trial_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

Index("ix_subjects_center", subjects.c.center_id)
Index("ix_subjects_randomized", subjects.c.randomized_on)
Index("ix_ae_subject", adverse_events.c.subject_id)
Index("ix_deviations_subject", deviations.c.subject_id)

CONTRACT_TABLES: tuple[Table, ...] = (
    centers,
    subjects,
    sbrt_courses,
    assessments,
    imaging,
    adverse_events,
    deviations,
)


def schema_markdown() -> str:
    """The contract as Markdown tables, generated from the metadata (see docs/SCHEMA.md)."""
    lines = [
        "# Trial database schema",
        "",
        "Generated from `data_access/schema.py` by `python -m dashboard schema`; do not edit.",
        "",
    ]
    for table in (*CONTRACT_TABLES, trial_meta):
        lines += [
            f"## {table.name}",
            "",
            "| column | type | key | null | notes |",
            "|---|---|---|---|---|",
        ]
        for col in table.columns:
            key = "PK" if col.primary_key else ""
            fks = [f"FK {fk.column.table.name}" for fk in col.foreign_keys]
            key = ", ".join([k for k in [key, *fks] if k])
            null = "null" if col.nullable else "not null"
            lines.append(
                f"| {col.name} | {str(col.type).lower()} | {key} | {null} | {col.comment or ''} |"
            )
        lines.append("")
    return "\n".join(lines)
