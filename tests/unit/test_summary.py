import json

from dashboard.cli import main


def test_summary_json_shape_and_numbers(demo_trial, capsys):
    trial, url = demo_trial
    s = trial.tables["subjects"]
    assert main(["summary", "--db", url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-11-15"
    rec = out["recruitment"]
    assert rec["overall"]["target"] == 120
    assert rec["overall"]["screened"] == len(s)
    assert rec["overall"]["eligible"] == int(s["eligible"].sum())
    assert rec["overall"]["randomized"] == int(s["randomized_on"].notna().sum())
    for code in ("SH1", "SMU3", "PKU"):
        mine = s[s["center_id"] == code]
        c = rec["by_center"][code]
        assert c["randomized"] == int(mine["randomized_on"].notna().sum())
        assert c["by_arm"] == {
            arm: int((mine["arm"] == arm).sum()) for arm in ("RFA_PVA", "RFA_PVA_SBRT")
        }


def test_summary_center_and_as_of(demo_trial, capsys):
    trial, url = demo_trial
    s = trial.tables["subjects"]
    assert main(["summary", "--db", url, "--json", "--center", "pku", "--as-of", "2026-06-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["recruitment"]["by_center"]) == ["PKU"]
    want = (
        (s["center_id"] == "PKU") & (s["randomized_on"] <= __import__("datetime").date(2026, 6, 30))
    ).sum()
    assert out["recruitment"]["overall"]["randomized"] == int(want)


def test_summary_text_and_errors(demo_trial, capsys):
    _, url = demo_trial
    assert main(["summary", "--db", url]) == 0
    assert "SH1" in capsys.readouterr().out
    assert main(["summary", "--db", url, "--center", "XX"]) == 2
    assert "unknown center code(s) XX" in capsys.readouterr().err
    assert main(["summary", "--db", "sqlite:////nonexistent/x.sqlite"]) == 2
    assert "does not exist" in capsys.readouterr().err
