"""`sweep new|work|show|list` in this process: seeds, the complexity band, the median pruner,
show --json, and the reading commands' imports (no torch)."""

from __future__ import annotations

import json
import subprocess
import sys
from statistics import mean

import optuna
import pytest

from resnet_studio.cli import main
from resnet_studio.core import build_model
from resnet_studio.sweep.space import Space

from .helpers import env, run_cli, space_file


def _show(url: str, name: str, capsys) -> dict:
    capsys.readouterr()
    assert main(["sweep", "show", name, "--storage", url, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_seeds_band_and_show_json(tmp_path, capsys):
    url = f"journal:{tmp_path / 'j.journal'}"
    # the band leaves out the smallest configuration, 1-1-1 blocks of 4-8-16 (49k MACs), which
    # trial 0 draws (the sampler is seeded per trial number)
    extra = "seeds = 2\nmacs_min = 60000\n"
    space = space_file(tmp_path, extra=extra)
    assert main(["sweep", "new", "b", "--space", str(space), "--storage", url]) == 0
    root = tmp_path / "runs"
    assert main(["sweep", "work", "b", "--storage", url, "--trials", "1", "--root", str(root)]) == 0
    rep = _show(url, "b", capsys)
    done = [t for t in rep["trials"] if t["state"] == "complete"]
    skipped = [t for t in rep["trials"] if t["state"] == "skipped"]
    assert len(done) == 1 and set(rep) >= {"trials", "best", "edf", "best_ranges"}
    assert skipped and all(t["macs"] >= 60_000 for t in done)
    s = Space.parse(space.read_text())
    for t in done:
        assert len(t["values"]) == 2 and t["value"] == pytest.approx(mean(t["values"]))
        assert len(t["run_dirs"]) == 2 and t["run_dir"] == t["run_dirs"][0]
        seeds = [json.loads(open(f"{d}/sweep.json").read())["seed"] for d in t["run_dirs"]]
        assert seeds == [0, 1]
        # each seed's value is what its run recorded
        recorded = [json.loads(open(f"{d}/status.json").read())["best_val_accuracy"]
                    for d in t["run_dirs"]]  # fmt: skip
        assert recorded == t["values"]
    for t in skipped:  # not trained, with the reason; the counts are the real model's
        assert t["run_dir"] is None and "below macs_min 60,000" in t["reason"]
        spec, _ = s.configure(t["params"])
        assert t["parameters"] == sum(p.numel() for p in build_model(spec).parameters())
    assert rep["best"]["value"] == max(t["value"] for t in done)
    errors = sorted(1 - t["value"] for t in done)
    assert [p[0] for p in rep["edf"]] == sorted(set(errors)) and rep["edf"][-1][1] == 1.0
    assert set(rep["best_ranges"]) == {"lr", "macs", "parameters"}  # layers, widths are lists
    lr = rep["best_ranges"]["lr"]
    assert 0.02 <= lr["low"] <= lr["median"] <= lr["high"] <= 0.2
    capsys.readouterr()
    main(["sweep", "list", "--storage", url])
    assert "b " in capsys.readouterr().out


def test_the_median_pruner_stops_a_trial_below_the_median(tmp_path, capsys):
    url = f"journal:{tmp_path / 'j.journal'}"
    space = space_file(tmp_path, epochs=3, extra='pruner = "median"\n')
    assert main(["sweep", "new", "p", "--space", str(space), "--storage", url]) == 0
    study = optuna.load_study(study_name="p", storage=url_storage(url))
    for _ in range(5):  # five finished trials that reached 100% every epoch: the median
        study.add_trial(
            optuna.trial.create_trial(value=1.0, intermediate_values={1: 1.0, 2: 1.0, 3: 1.0})
        )
    root = tmp_path / "runs"
    assert main(["sweep", "work", "p", "--storage", url, "--trials", "1", "--root", str(root)]) == 0
    t = _show(url, "p", capsys)["trials"][-1]
    assert t["state"] == "pruned"
    status = json.loads(open(f"{t['run_dir']}/status.json").read())
    assert status["epoch"] == 1 and status["status"] == "stopped"  # stopped after epoch 1 of 3


def url_storage(url: str):
    from resnet_studio.sweep.storage import open_storage

    return open_storage(url)


def test_errors_are_one_sentence(tmp_path, capsys):
    url = f"journal:{tmp_path / 'j.journal'}"
    assert main(["sweep", "show", "nope", "--storage", url]) == 2
    assert "There is no sweep named nope" in capsys.readouterr().err
    assert main(["sweep", "list", "--storage", "redis://x"]) == 2
    assert "journal:PATH" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[fixed]\nlayers = [1, 1]\nepoch = 3\n")
    assert main(["sweep", "new", "x", "--space", str(bad), "--storage", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "line 3" in err and "fixed.epoch" in err


@pytest.mark.parametrize("action", ["list", "show"])
def test_list_and_show_do_not_import_torch(tmp_path, action):
    url = f"journal:{tmp_path / 'j.journal'}"
    assert main(["sweep", "new", "s", "--space", str(space_file(tmp_path)), "--storage", url]) == 0
    args = ["sweep", action, *(["s", "--json"] if action == "show" else []), "--storage", url]
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['resnet-studio', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('resnet_studio.cli', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6'))\n"
        "print('HEAVY', heavy[:5], file=sys.stderr)\n"
        "sys.exit(1 if heavy else code)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env())
    assert "HEAVY []" in r.stderr and r.returncode in (0, None), r.stderr


def test_a_failed_trial_is_one_sentence_and_no_traceback(tmp_path, capsys):
    url = f"journal:{tmp_path / 'j.journal'}"
    space = tmp_path / "s.toml"
    text = space_file(tmp_path).read_text().replace("threads = 1", "threads = 1\nlr = 1e9")
    space.write_text(text.replace("lr = { low = 0.02, high = 0.2, log = true }", ""))
    assert main(["sweep", "new", "f", "--space", str(space), "--storage", url]) == 0
    root = str(tmp_path / "runs")
    r = run_cli("sweep", "work", "f", "--storage", url, "--trials", "1", "--root", root)
    assert r.returncode == 0 and "trial 0 failed: The loss became nan" in r.stdout, r.stdout
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    t = _show(url, "f", capsys)["trials"][0]
    assert t["state"] == "failed" and t["reason"].startswith("The loss became nan")
