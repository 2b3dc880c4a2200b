from pathlib import Path

from data_access.schema import CONTRACT_TABLES, schema_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_schema_doc_is_generated_from_the_code():
    assert (ROOT / "docs" / "SCHEMA.md").read_text() == schema_markdown() + "\n", (
        "docs/SCHEMA.md is stale: run `python -m dashboard schema > docs/SCHEMA.md`"
    )


def test_contract_columns_are_those_of_the_design():
    # shared/design/SCHEMA.md: the contract may grow, never lose or rename these.
    want = {
        "centers": ["center_id", "name", "activated_on"],
        "subjects": [
            "subject_id",
            "center_id",
            "screened_on",
            "eligible",
            "screen_failure_reason",
            "consented_on",
            "sex",
            "age_years",
            "primary_tumor",
            "baseline_nrs",
            "baseline_pafi",
            "baseline_omed_mg",
            "baseline_imaging_on",
            "treated_levels",
            "procedure_on",
            "randomized_on",
            "arm",
            "actual_arm",
            "off_study_on",
            "off_study_reason",
        ],
        "sbrt_courses": ["subject_id", "started_on", "completed_on", "fractions", "total_dose_gy"],
        "assessments": ["subject_id", "visit_code", "assessed_on", "nrs", "pafi", "omed_mg"],
        "imaging": ["subject_id", "visit_code", "imaged_on", "modality", "mda_response"],
        "adverse_events": [
            "ae_id",
            "subject_id",
            "term",
            "soc",
            "grade",
            "serious",
            "attribution",
            "onset_on",
            "resolved_on",
            "outcome",
            "reported_on",
        ],
        "deviations": [
            "deviation_id",
            "subject_id",
            "occurred_on",
            "category",
            "major",
            "description",
        ],
    }
    got = {t.name: [c.name for c in t.columns] for t in CONTRACT_TABLES}
    for table, cols in want.items():
        assert got[table][: len(cols)] == cols, table
