"""``doorstep plan`` end to end: through ``main()`` and through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scheduler.checker import check
from scheduler.cli import main
from scheduler.io import load_scenario, parse_plan
from tests.unit.scheduler.scenarios import FORMATS, small_document

DOORSTEP = Path(sys.executable).with_name("doorstep")
EXAMPLE = FORMATS / "example-scenario.json"


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_greedy_plan_through_main(tmp_path: Path, capsys: Any, plan_validator: Any) -> None:
    out = tmp_path / "plan.json"
    assert main([str(EXAMPLE), "-o", str(out), "--greedy"]) == 0
    line = one_line(capsys.readouterr().err)
    assert line.startswith("doorstep plan: assigned 10/12, priority 10/12, travel ")
    assert " h), wall " in line and str(out) in line
    document = json.loads(out.read_text(encoding="utf-8"))
    plan_validator.validate(document)
    assert document["routes"][0]["visits"][0]["start"].endswith("+07:00")
    assert check(load_scenario(EXAMPLE), parse_plan(document)) == []
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary left behind


def test_solver_plan_through_the_console_script(tmp_path: Path, plan_validator: Any) -> None:
    out = tmp_path / "plan.json"
    done = subprocess.run(
        [str(DOORSTEP), "plan", str(EXAMPLE), "-o", str(out), "--time-limit", "1", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert one_line(done.stderr).startswith("doorstep plan: assigned ")
    document = json.loads(out.read_text(encoding="utf-8"))
    plan_validator.validate(document)
    assert document["solver"]["time_limit_s"] == 1
    assert check(load_scenario(EXAMPLE), parse_plan(document)) == []


def test_previous_plan_is_accepted(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "plan.json"
    previous = FORMATS / "example-plan.json"
    argv = [str(EXAMPLE), "-o", str(out), "--previous", str(previous), "--time-limit", "1"]
    assert main(argv) == 0, capsys.readouterr().err
    assert check(load_scenario(EXAMPLE), parse_plan(json.loads(out.read_text()))) == []


def bad_scenario(tmp_path: Path) -> Path:
    data = small_document()
    data["requests"][1]["windows"] = [{"start": "2026-11-30T09:00:00+07:00", "end": "oops"}]
    return write(tmp_path / "bad.json", data)


def test_bad_scenario_exits_2_names_field_and_id_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    done = subprocess.run(
        [str(DOORSTEP), "plan", str(bad_scenario(tmp_path)), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"doorstep plan: {tmp_path / 'bad.json'}: requests[1](id=")
    assert 'requests[1](id="r2").windows[0].end' in line and "oops" in line
    assert done.stdout == ""
    assert not out.exists()


def test_failed_run_keeps_an_existing_plan_untouched(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "plan.json"
    out.write_text("previous contents", encoding="utf-8")
    assert main([str(bad_scenario(tmp_path)), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "plan.json"]
    one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("contents", "needle"),
    [
        ("", "empty scenario file"),
        ("{", "not valid JSON"),
        ('{"version": 2}', "version: unsupported version 2"),
        (
            '{"version": 1, "name": "x", "travel": {"model": "matrix", "seconds": [[0, 1]]}}',
            "travel.seconds[0]: matrix is not square",
        ),
    ],
)
def test_bad_scenario_files(tmp_path: Path, capsys: Any, contents: str, needle: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(contents, encoding="utf-8")
    out = tmp_path / "plan.json"
    assert main([str(path), "-o", str(out)]) == 2
    assert needle in one_line(capsys.readouterr().err)
    assert not out.exists()


def test_missing_scenario_file(tmp_path: Path, capsys: Any) -> None:
    assert main([str(tmp_path / "absent.json"), "-o", str(tmp_path / "p.json")]) == 2
    assert "cannot read scenario file" in one_line(capsys.readouterr().err)


def test_bad_previous_plan(tmp_path: Path, capsys: Any) -> None:
    plan = json.loads((FORMATS / "example-plan.json").read_text(encoding="utf-8"))
    plan["routes"][0]["visits"][1]["start"] = "2026-11-30T07:28:56"
    previous = write(tmp_path / "prev.json", plan)
    out = tmp_path / "plan.json"
    assert main([str(EXAMPLE), "-o", str(out), "--previous", str(previous)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"doorstep plan: {previous}: routes[0](volunteer=")
    assert 'routes[0](volunteer="v1").visits[1](request="r6").start' in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (["--time-limit", "-1"], "--time-limit"),
        (["--time-limit", "nan"], "--time-limit"),
        (["--time-limit", "soon"], "--time-limit"),
        (["--seed", "-4"], "--seed"),
        (["--seed", "1.5"], "--seed"),
        (["--fairness", "-1"], "--fairness"),
        (["--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_bad_options(tmp_path: Path, capsys: Any, options: list[str], needle: str) -> None:
    out = tmp_path / "plan.json"
    assert main([str(EXAMPLE), "-o", str(out), *options]) == 2
    assert needle in one_line(capsys.readouterr().err)
    assert not out.exists()


def test_output_is_required(capsys: Any) -> None:
    assert main([str(EXAMPLE)]) == 2
    assert "-o/--output" in one_line(capsys.readouterr().err)


def test_output_directory_must_exist(tmp_path: Path, capsys: Any) -> None:
    assert main([str(EXAMPLE), "-o", str(tmp_path / "nowhere" / "plan.json")]) == 2
    assert "does not exist" in one_line(capsys.readouterr().err)


def test_help_exits_0(capsys: Any) -> None:
    assert main(["--help"]) == 0
    assert "--time-limit" in capsys.readouterr().out


def test_output_that_is_a_directory(tmp_path: Path, capsys: Any) -> None:
    assert main([str(EXAMPLE), "-o", str(tmp_path), "--greedy"]) == 2
    assert "-o: cannot write" in one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_runs_as_a_module(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    done = subprocess.run(
        [sys.executable, "-m", "scheduler.cli", str(EXAMPLE), "-o", str(out), "--greedy"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["objective"]["assigned"] == 10
