"""The gallery trial: rows shaped like a real public three-arm study, deterministic.

Its plan is tests/fixtures/gallery/protocol.toml. The shape, not the numbers, is the point:
numeric site codes 701-718 with 712 missing; 3 arms with long labels; 17 centers, 701, 708 and
710 past their target and 715 with one subject randomized in 2013 and nobody since; 13
scheduled visits (4 telephone contacts); about 240 distinct AE terms with a long tail, some AEs
beginning years before day 0 (history recorded as AEs, onsets back to 1977); enrolment closed
a year before the data date.

Planted for central monitoring (a center's key risk indicators stand out against the others):
- 704: AEs at three times the rate of the other centers;
- 709: half of its scheduled visits missed;
- 716: a major protocol deviation for most of its subjects.
Every other center draws from the same distributions.

    python -m tests.gallery --db sqlite:////tmp/gallery.sqlite

writes it (replacing what is there) and prints the protocol file to serve it with.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

PROTOCOL = Path(__file__).resolve().parent / "fixtures" / "gallery" / "protocol.toml"
AS_OF = "2015-09-15"
SEED = 701

# Randomized per center (targets in the protocol: 701 30, 708 22, 710 20 are passed).
RANDOMIZED: dict[str, int] = {
    "701": 50,
    "702": 12,
    "703": 20,
    "704": 16,
    "705": 12,
    "706": 9,
    "707": 12,
    "708": 30,
    "709": 16,
    "710": 36,
    "711": 10,
    "713": 8,
    "714": 14,
    "715": 1,
    "716": 9,
    "717": 6,
    "718": 3,
}
ACTIVATED: dict[str, str] = {
    **dict.fromkeys(("701", "702", "703", "704", "705", "706", "707", "708"), "2012-07-15"),
    **dict.fromkeys(("709", "710", "711"), "2012-08-01"),
    **dict.fromkeys(("713", "714", "715"), "2012-10-15"),
    **dict.fromkeys(("716", "717", "718"), "2013-01-15"),
}
LAST_RANDOMIZATION = dt.date(2014, 9, 12)  # a year before the data date: enrolment closed
ARMS = ("PBO", "LOW", "HIGH")
# Visit code, target day, window either side, collects (as the protocol file says).
VISITS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("WK2", 14, 3, ("nrs", "omed")),
    ("WK4", 28, 3, ("nrs", "omed", "pafi")),
    ("TEL5", 35, 3, ()),
    ("WK6", 42, 3, ("nrs", "omed")),
    ("WK8", 56, 3, ("nrs", "omed", "pafi", "imaging")),
    ("TEL10", 70, 3, ()),
    ("WK12", 84, 7, ("nrs", "omed", "pafi")),
    ("TEL14", 98, 7, ()),
    ("WK16", 112, 7, ("nrs", "omed", "imaging")),
    ("TEL18", 126, 7, ()),
    ("WK20", 140, 7, ("nrs", "omed", "pafi")),
    ("WK24", 168, 7, ("nrs", "omed", "imaging")),
    ("WK26", 182, 7, ("nrs", "omed", "pafi")),
)
PLANTED_AE_RATE = "704"
PLANTED_MISSED_VISITS = "709"
PLANTED_DEVIATIONS = "716"

# MedDRA-style preferred terms by system organ class; the commonest first within each.
TERMS_BY_SOC: dict[str, tuple[str, ...]] = {
    "General disorders and administration site conditions": (
        "Application site pruritus",
        "Application site erythema",
        "Application site irritation",
        "Application site dermatitis",
        "Fatigue",
        "Application site vesicles",
        "Oedema peripheral",
        "Pyrexia",
        "Application site swelling",
        "Application site urticaria",
        "Chest discomfort",
        "Malaise",
        "Application site pain",
        "Application site bleeding",
        "Application site discolouration",
        "Application site perspiration",
        "Application site warmth",
        "Asthenia",
        "Chills",
        "Feeling abnormal",
        "Feeling cold",
        "Inflammation",
        "Secretion discharge",
        "Swelling",
        "Ulcer",
        "Gait disturbance",
        "Thirst",
        "Pain",
        "Non-cardiac chest pain",
        "Influenza like illness",
        "Local swelling",
    ),
    "Skin and subcutaneous tissue disorders": (
        "Pruritus",
        "Erythema",
        "Rash",
        "Hyperhidrosis",
        "Skin irritation",
        "Blister",
        "Rash pruritic",
        "Pruritus generalised",
        "Urticaria",
        "Actinic keratosis",
        "Alopecia",
        "Cold sweat",
        "Dermatitis contact",
        "Drug eruption",
        "Rash maculo-papular",
        "Skin exfoliation",
        "Skin ulcer",
        "Skin odour abnormal",
        "Rash erythematous",
        "Rash papular",
        "Dry skin",
        "Ecchymosis",
    ),
    "Nervous system disorders": (
        "Dizziness",
        "Headache",
        "Syncope",
        "Somnolence",
        "Transient ischaemic attack",
        "Lethargy",
        "Amnesia",
        "Balance disorder",
        "Burning sensation",
        "Cognitive disorder",
        "Complex partial seizures",
        "Coordination abnormal",
        "Hemianopia homonymous",
        "Hypersomnia",
        "Paraesthesia",
        "Parosmia",
        "Parkinson's disease",
        "Psychomotor hyperactivity",
        "Stupor",
        "Presyncope",
        "Loss of consciousness",
        "Tremor",
        "Dysarthria",
        "Dysgeusia",
        "Aphasia",
    ),
    "Gastrointestinal disorders": (
        "Diarrhoea",
        "Vomiting",
        "Nausea",
        "Abdominal pain",
        "Salivary hypersecretion",
        "Dyspepsia",
        "Constipation",
        "Abdominal discomfort",
        "Dysphagia",
        "Flatulence",
        "Gastrointestinal haemorrhage",
        "Gastrooesophageal reflux disease",
        "Glossitis",
        "Haematochezia",
        "Rectal haemorrhage",
        "Stomach discomfort",
        "Dry mouth",
        "Faecal incontinence",
        "Toothache",
    ),
    "Infections and infestations": (
        "Nasopharyngitis",
        "Upper respiratory tract infection",
        "Urinary tract infection",
        "Influenza",
        "Bronchitis",
        "Cellulitis",
        "Cystitis",
        "Ear infection",
        "Gastroenteritis viral",
        "Herpes zoster",
        "Localised infection",
        "Lower respiratory tract infection",
        "Pneumonia",
        "Rhinitis",
        "Vaginal mycosis",
        "Viral infection",
        "Sinusitis",
        "Tooth abscess",
        "Oral candidiasis",
    ),
    "Cardiac disorders": (
        "Sinus bradycardia",
        "Myocardial infarction",
        "Atrial fibrillation",
        "Supraventricular extrasystoles",
        "Ventricular extrasystoles",
        "Atrioventricular block second degree",
        "Bundle branch block left",
        "Bundle branch block right",
        "Cardiac failure congestive",
        "Palpitations",
        "Tachycardia",
        "Atrial flutter",
        "Atrioventricular block first degree",
        "Supraventricular tachycardia",
        "Ventricular hypertrophy",
        "Wandering pacemaker",
        "Angina pectoris",
    ),
    "Investigations": (
        "Electrocardiogram ST segment depression",
        "Electrocardiogram T wave inversion",
        "Electrocardiogram T wave amplitude decreased",
        "Body temperature increased",
        "Blood cholesterol increased",
        "Blood creatine phosphokinase increased",
        "Blood glucose increased",
        "Blood urine present",
        "Biopsy",
        "Cystoscopy",
        "Heart rate increased",
        "Heart rate irregular",
        "Nasal mucosa biopsy",
        "Weight decreased",
        "Electrocardiogram QT prolonged",
        "Blood pressure increased",
        "Blood potassium decreased",
        "Haemoglobin decreased",
        "Alanine aminotransferase increased",
    ),
    "Psychiatric disorders": (
        "Confusional state",
        "Agitation",
        "Insomnia",
        "Anxiety",
        "Delusion",
        "Depressed mood",
        "Irritability",
        "Completed suicide",
        "Disorientation",
        "Hallucination",
        "Hallucination, visual",
        "Libido decreased",
        "Listless",
        "Nightmare",
        "Restlessness",
        "Depression",
        "Apathy",
    ),
    "Musculoskeletal and connective tissue disorders": (
        "Back pain",
        "Arthralgia",
        "Shoulder pain",
        "Muscle spasms",
        "Arthritis",
        "Flank pain",
        "Muscular weakness",
        "Myalgia",
        "Pain in extremity",
        "Neck pain",
        "Musculoskeletal stiffness",
    ),
    "Respiratory, thoracic and mediastinal disorders": (
        "Cough",
        "Nasal congestion",
        "Dyspnoea",
        "Epistaxis",
        "Pharyngolaryngeal pain",
        "Rhinorrhoea",
        "Allergic granulomatous angiitis",
        "Emphysema",
        "Haemoptysis",
        "Postnasal drip",
        "Pulmonary congestion",
        "Respiratory tract congestion",
        "Dysphonia",
    ),
    "Injury, poisoning and procedural complications": (
        "Contusion",
        "Excoriation",
        "Fall",
        "Hip fracture",
        "Skin laceration",
        "Facial bones fracture",
        "Joint dislocation",
        "Wound",
        "Procedural pain",
        "Rib fracture",
    ),
    "Vascular disorders": (
        "Hypotension",
        "Hypertension",
        "Orthostatic hypotension",
        "Hot flush",
        "Haematoma",
        "Pallor",
        "Peripheral coldness",
        "Thrombophlebitis superficial",
    ),
    "Metabolism and nutrition disorders": (
        "Decreased appetite",
        "Anorexia",
        "Dehydration",
        "Diabetes mellitus",
        "Food craving",
        "Hyperkalaemia",
        "Hyponatraemia",
        "Increased appetite",
    ),
    "Renal and urinary disorders": (
        "Micturition urgency",
        "Nephrolithiasis",
        "Pollakiuria",
        "Dysuria",
        "Urinary incontinence",
        "Urinary retention",
        "Calculus ureteric",
    ),
    "Eye disorders": (
        "Vision blurred",
        "Conjunctival haemorrhage",
        "Conjunctivitis",
        "Eye allergy",
        "Eye pruritus",
        "Eye swelling",
        "Glaucoma",
        "Cataract",
    ),
    "Ear and labyrinth disorders": (
        "Vertigo",
        "Ear pain",
        "Tinnitus",
        "Cerumen impaction",
        "Hypoacusis",
    ),
    "Reproductive system and breast disorders": (
        "Benign prostatic hyperplasia",
        "Pelvic pain",
        "Breast pain",
        "Erectile dysfunction",
    ),
    "Neoplasms benign, malignant and unspecified (incl cysts and polyps)": (
        "Colon cancer",
        "Prostate cancer",
        "Malignant fibrous histiocytoma",
        "Skin papilloma",
        "Basal cell carcinoma",
    ),
    "Hepatobiliary disorders": ("Hyperbilirubinaemia", "Cholecystitis acute"),
    "Blood and lymphatic system disorders": ("Anaemia", "Iron deficiency anaemia", "Leukopenia"),
    "Immune system disorders": ("Hypersensitivity", "Seasonal allergy"),
    "Endocrine disorders": ("Goitre", "Hypothyroidism"),
    "Social circumstances": ("Alcohol use",),
    "Surgical and medical procedures": ("Cataract operation", "Tooth extraction"),
    "Congenital, familial and genetic disorders": ("Ventricular septal defect",),
}
SCREEN_FAILURE_REASONS = (
    "inclusion criteria not met",
    "exclusion criterion met",
    "withdrew consent",
    "physician decision",
)


def terms() -> list[tuple[str, str]]:
    """(term, SOC) in order of commonness: SOCs interleaved, the commonest terms first."""
    socs = list(TERMS_BY_SOC.items())
    out: list[tuple[str, str]] = []
    depth = max(len(v) for _, v in socs)
    for i in range(depth):
        for soc, names in socs:
            if i < len(names):
                out.append((names[i], soc))
    return out


def _day(d: str) -> dt.date:
    return dt.date.fromisoformat(d)


def build(seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """The gallery trial's rows, one list per contract table (dates as ISO text)."""
    rng = np.random.default_rng(seed)
    as_of = _day(AS_OF)
    every_term = terms()
    # Zipf-like weights: a few common terms, a long tail seen once or twice.
    weights = 1.0 / np.arange(1, len(every_term) + 1) ** 0.7
    weights /= weights.sum()
    rows: dict[str, list[dict[str, Any]]] = {
        "centers": [],
        "subjects": [],
        "assessments": [],
        "imaging": [],
        "adverse_events": [],
        "deviations": [],
    }
    ae_id = deviation_id = 0
    for center, n_randomized in RANDOMIZED.items():
        activated = _day(ACTIVATED[center])
        rows["centers"].append(
            {"center_id": center, "name": f"Site {center}", "activated_on": activated}
        )
        if center == "715":  # one subject, early; nobody since
            days = [dt.date(2013, 1, 20)]
        else:
            span = (LAST_RANDOMIZATION - activated).days - 20
            offsets = np.sort(rng.uniform(20, span, n_randomized)).astype(int)
            days = [activated + dt.timedelta(days=int(o)) for o in offsets]
            if center == "701":
                days[-1] = LAST_RANDOMIZATION
        n_failures = int(rng.poisson(n_randomized * 0.18))
        arms = _blocks(rng, len(days))
        number = 0
        for i, randomized in enumerate(days):
            number += 1
            sid = f"01-{center}-{number:04d}"
            subject, followed = _subject(rng, sid, center, randomized, arms[i], as_of)
            rows["subjects"].append(subject)
            ae_id, deviation_id = _follow(
                rng, subject, followed, every_term, weights, as_of, rows, ae_id, deviation_id
            )
        for _ in range(n_failures):
            number += 1
            screened = activated + dt.timedelta(days=int(rng.integers(5, 700)))
            screened = min(screened, LAST_RANDOMIZATION)
            rows["subjects"].append(
                {
                    "subject_id": f"01-{center}-{number:04d}",
                    "center_id": center,
                    "screened_on": screened,
                    "eligible": False,
                    "screen_failure_reason": SCREEN_FAILURE_REASONS[
                        int(rng.integers(0, len(SCREEN_FAILURE_REASONS)))
                    ],
                    "sex": "F" if rng.random() < 0.56 else "M",
                    "age_years": int(np.clip(rng.normal(75, 8), 51, 89)),
                }
            )
    return rows


def _blocks(rng: np.random.Generator, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        size = int(rng.choice([3, 6]))
        block = [ARMS[i % 3] for i in range(size)]
        rng.shuffle(block)
        out += block
    return out[:n]


def _subject(
    rng: np.random.Generator, sid: str, center: str, randomized: dt.date, arm: str, as_of: dt.date
) -> tuple[dict[str, Any], int]:
    """A randomized subject and the last day of follow-up (from day 0)."""
    screened = randomized - dt.timedelta(days=int(rng.integers(7, 28)))
    # High dose drops out most (skin reactions), as in the pilot study this trial is shaped on.
    p_leave = {"PBO": 0.25, "LOW": 0.45, "HIGH": 0.55}[arm]
    end, reason = 190 + int(rng.integers(0, 14)), "completed"
    if rng.random() < p_leave:
        end = int(rng.integers(10, 180))
        reason = str(rng.choice(["withdrew", "lost_to_follow_up", "other"], p=[0.6, 0.2, 0.2]))
    if rng.random() < 0.012:
        end, reason = int(rng.integers(20, 180)), "died"
    off = randomized + dt.timedelta(days=end)
    subject = {
        "subject_id": sid,
        "center_id": center,
        "screened_on": screened,
        "eligible": True,
        "consented_on": screened,
        "sex": "F" if rng.random() < 0.56 else "M",
        "age_years": int(np.clip(rng.normal(75, 8), 51, 89)),
        "baseline_nrs": int(rng.integers(4, 10)),
        "baseline_pafi": int(rng.integers(3, 9)),
        "baseline_omed_mg": float(rng.choice([0.0, 10.0, 20.0, 30.0, 45.0])),
        "randomized_on": randomized,
        "arm": arm,
        "actual_arm": arm,
        "off_study_on": off if off <= as_of else None,
        "off_study_reason": reason if off <= as_of else None,
    }
    return subject, min(end, (as_of - randomized).days)


def _follow(
    rng: np.random.Generator,
    subject: dict[str, Any],
    followed: int,
    every_term: list[tuple[str, str]],
    weights: np.ndarray,
    as_of: dt.date,
    rows: dict[str, list[dict[str, Any]]],
    ae_id: int,
    deviation_id: int,
) -> tuple[int, int]:
    sid, center, day0 = subject["subject_id"], subject["center_id"], subject["randomized_on"]
    p_miss = 0.5 if center == PLANTED_MISSED_VISITS else 0.06
    effect = {"PBO": -1.0, "LOW": -1.8, "HIGH": -2.2}[subject["arm"]]
    for code, day, window, collects in VISITS:
        if day - window > followed:
            break
        if rng.random() < p_miss:
            continue
        shift = int(rng.integers(-window, window + 1))
        if rng.random() < 0.05:
            shift = window + int(rng.integers(1, 6))  # out of window
        on = day0 + dt.timedelta(days=day + shift)
        if on > as_of:
            continue
        row: dict[str, Any] = {"subject_id": sid, "visit_code": code, "assessed_on": on}
        if "nrs" in collects:
            drift = effect * min(day, 84) / 84
            row["nrs"] = int(
                np.clip(round(subject["baseline_nrs"] + drift + rng.normal(0, 1.3)), 0, 10)
            )
            row["omed_mg"] = subject["baseline_omed_mg"]
        if "pafi" in collects:
            row["pafi"] = int(
                np.clip(round(subject["baseline_pafi"] + rng.normal(0.5, 1.2)), 0, 10)
            )
        rows["assessments"].append(row)
        if "imaging" in collects and rng.random() < 0.9:
            rows["imaging"].append(
                {
                    "subject_id": sid,
                    "visit_code": code,
                    "imaged_on": on,
                    "modality": "MRI",
                    "mda_response": str(
                        rng.choice(["PR", "SD", "PD", "NE"], p=[0.2, 0.6, 0.15, 0.05])
                    ),
                }
            )
    # Adverse events per month on study: the pilot's shape (high dose most), one planted center.
    per_month = {"PBO": 0.55, "LOW": 0.95, "HIGH": 1.1}[subject["arm"]]
    if center == PLANTED_AE_RATE:
        per_month *= 3
    lag_days = 6.0
    for _ in range(int(rng.poisson(per_month * max(followed, 1) / 30.4375))):
        ae_id += 1
        term, soc = every_term[int(rng.choice(len(every_term), p=weights))]
        onset = day0 + dt.timedelta(days=int(rng.integers(0, max(followed, 1) + 1)))
        grade = int(rng.choice([1, 2, 3, 4], p=[0.62, 0.3, 0.07, 0.01]))
        reported = min(onset + dt.timedelta(days=int(rng.exponential(lag_days))), as_of)
        resolved = onset + dt.timedelta(days=int(rng.gamma(2, 12)))
        rows["adverse_events"].append(
            {
                "ae_id": ae_id,
                "subject_id": sid,
                "term": term,
                "soc": soc,
                "grade": grade,
                "serious": bool(grade == 4 or rng.random() < 0.02),
                "attribution": str(rng.choice(["unrelated", "unknown"], p=[0.7, 0.3])),
                "onset_on": onset,
                "resolved_on": resolved if resolved <= as_of else None,
                "outcome": "recovered" if resolved <= as_of else "not_recovered",
                "reported_on": reported,
            }
        )
    # History recorded as AEs: onsets years before day 0 (back to 1977), entered at screening,
    # flagged not treatment-emergent (as the study's SUPPAE AETRTEM = N said).
    if rng.random() < 0.06:
        ae_id += 1
        term, soc = every_term[int(rng.choice(len(every_term), p=weights))]
        years = int(rng.integers(2, 37))
        onset = day0 - dt.timedelta(days=int(years * 365.25 + rng.integers(0, 300)))
        onset = max(onset, dt.date(1977, 3, 1))
        rows["adverse_events"].append(
            {
                "ae_id": ae_id,
                "subject_id": sid,
                "term": term,
                "soc": soc,
                "grade": 1,
                "serious": False,
                "attribution": "unrelated",
                "onset_on": onset,
                "outcome": "not_recovered",
                "reported_on": subject["screened_on"],
                "emergent": False,
            }
        )
    if subject["off_study_reason"] == "died":
        ae_id += 1
        rows["adverse_events"].append(
            {
                "ae_id": ae_id,
                "subject_id": sid,
                "term": "Myocardial infarction",
                "soc": "Cardiac disorders",
                "grade": 5,
                "serious": True,
                "attribution": "unknown",
                "onset_on": subject["off_study_on"],
                "outcome": "fatal",
                "reported_on": subject["off_study_on"] + dt.timedelta(days=2),
            }
        )
    p_major = 0.8 if center == PLANTED_DEVIATIONS else 0.04
    if rng.random() < p_major:
        deviation_id += 1
        rows["deviations"].append(
            {
                "deviation_id": deviation_id,
                "subject_id": sid,
                "occurred_on": day0 + dt.timedelta(days=int(rng.integers(0, max(followed, 1)))),
                "category": "eligibility",
                "major": True,
                "description": "randomized although an inclusion criterion was not met",
            }
        )
    if rng.random() < 0.1:
        deviation_id += 1
        rows["deviations"].append(
            {
                "deviation_id": deviation_id,
                "subject_id": sid,
                "occurred_on": day0 + dt.timedelta(days=int(rng.integers(0, max(followed, 1)))),
                "category": "visit_window",
                "major": False,
                "description": "visit outside its window",
            }
        )
    return ae_id, deviation_id


def write(url: str) -> Any:
    """Write the gallery trial to a database URL (replacing it); the TrialDb to read it."""
    from tests import trials

    return trials.write(url, build(), AS_OF)


def main() -> None:
    p = argparse.ArgumentParser(description="write the gallery trial to a database")
    p.add_argument("--db", required=True, help="SQLAlchemy URL (replaced!)")
    a = p.parse_args()
    write(a.db)
    rows = build()
    terms_used = {r["term"] for r in rows["adverse_events"]}
    print(
        f"gallery trial written to {a.db}: {len(rows['subjects'])} subjects, "
        f"{len(rows['adverse_events'])} AEs, {len(terms_used)} terms; "
        f"serve with TRIAL_PROTOCOL_FILE={PROTOCOL} TRIAL_DB_URL={a.db}"
    )


if __name__ == "__main__":
    main()
