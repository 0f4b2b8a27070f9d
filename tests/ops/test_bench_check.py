"""``./dev.sh bench --check`` compares each benchmark's ratios with the limits in
``bench/limits.toml``. The benchmarks themselves run on demand, never in the suite; this
checks the comparison and that every limit names a number the benchmark prints."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from bench import check

ROOT = Path(__file__).resolve().parents[2]


def test_a_ratio_over_its_limit_fails_the_check_and_is_named(tmp_path, monkeypatch, capsys):
    measured = {"ratios": {"import_cpu_over_floor": 3.2, "reimport_extra_s": 1.0}}
    monkeypatch.setattr(check, "run_benchmark", lambda name, args: measured)
    limits = tmp_path / "limits.toml"
    limits.write_text(
        '[import_toilet_survey]\nargs = ["--rows", "10"]\n'
        '"ratios.import_cpu_over_floor" = 4.0\n"ratios.reimport_extra_s" = 2.0\n',
        encoding="utf-8",
    )
    check.main(["--limits", str(limits)])
    assert "every ratio within its limit" in capsys.readouterr().out

    # The same measurement against a limit lowered below it: a regression, named.
    limits.write_text(limits.read_text().replace("= 4.0", "= 3.0"), encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        check.main(["--limits", str(limits)])
    assert stop.value.code == 1
    out = capsys.readouterr().out
    assert "import_toilet_survey: ratios.import_cpu_over_floor 3.20 > 3.00" in out


def test_a_limit_on_a_number_the_benchmark_does_not_print_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setattr(check, "run_benchmark", lambda name, args: [{"households": 5000}])
    limits = tmp_path / "limits.toml"
    limits.write_text('[draw]\n"check_over_algorithm" = 3.0\n', encoding="utf-8")
    with pytest.raises(SystemExit):
        check.main(["--limits", str(limits)])


def test_every_recorded_limit_belongs_to_a_benchmark_that_prints_json():
    config = tomllib.loads((ROOT / "bench" / "limits.toml").read_text(encoding="utf-8"))
    assert config, "bench/limits.toml lists no benchmark"
    for name, table in config.items():
        source = (ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8")
        assert "json.dumps" in source, name
        for path in (k for k in table if k != "args"):
            assert path.rsplit(".", 1)[-1] in source, f"{name} never prints {path}"


def test_lookup_searches_lists_for_the_first_element_with_the_key():
    assert check.lookup([{"a": 1}, {"b": {"c": 2}}], "b.c") == 2.0
