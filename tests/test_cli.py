"""The ``sks4`` command line: parsing, user errors (exit status 2, one clear line), small end-to-end runs."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sks4 import cli
from sks4.cli import build_parser, main
from sks4.forecasting import infer_offset

TINY = ["--max-epochs", "2", "--device", "cpu"]


# --------------------------------------------------------------------------- data
def _wide(n: int, length: int, seed: int) -> pd.DataFrame:
    """Two classes: sines ("up") and noisy ramps down ("down"), one row per series."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    labels = np.array(["up", "down"] * (n // 2))
    rows = [
        np.sin(2 * np.pi * 2 * t) + 0.1 * rng.standard_normal(length) if y == "up" else -t + 0.1 * rng.standard_normal(length)
        for y in labels
    ]
    frame = pd.DataFrame(np.array(rows), columns=[f"t{i}" for i in range(length)])
    frame.insert(0, "label", labels)
    frame.insert(0, "id", [f"s{i}" for i in range(n)])
    return frame


@pytest.fixture
def wide_files(tmp_path):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    _wide(12, 16, 0).to_csv(train, index=False)
    _wide(6, 16, 1).to_csv(test, index=False)
    return train, test


def _monthly(n: int) -> pd.DataFrame:
    months = pd.date_range("2001-01-01", periods=n, freq="MS")
    k = np.arange(n)
    values = 100 + k + 10 * np.sin(2 * np.pi * k / 12)
    return pd.DataFrame({"month": months.strftime("%Y-%m"), "sales": values, "region": "north"})


@pytest.fixture
def series_file(tmp_path):
    path = tmp_path / "sales.csv"
    _monthly(48).to_csv(path, index=False)
    return path


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- parsing
def test_parser_defaults_and_options():
    args = build_parser().parse_args(["demo"])
    assert (args.command, args.device, args.seed, args.quiet, str(args.output)) == ("demo", "auto", 0, False, "sks4-demo")
    assert args.max_epochs is None
    args = build_parser().parse_args(
        ["forecast", "f.csv", "--column", "y", "--horizon", "5", "--coverage", "0.8", "--seed", "3", "-q", "--freq", "D"]
    )
    assert (args.column, args.horizon, args.coverage, args.seed, args.quiet, args.freq) == ("y", 5, 0.8, 3, True, "D")
    assert build_parser().parse_args(["demo", "--threads", "1"]).threads == 1
    args = build_parser().parse_args(["classify", "a.csv", "b.csv", "--target", "y", "--drop", "id", "--drop", "x", "--features"])
    assert (args.target, args.drop, args.features, str(args.output)) == ("y", ["id", "x"], True, "predictions.csv")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["classify", "a.csv", "b.csv"],  # --target is required
        ["forecast", "f.csv", "--horizon", "0"],
        ["forecast", "f.csv", "--horizon", "3", "--coverage", "1.5"],
        ["demo", "--seed", "x"],
        ["demo", "--threads", "0"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage: sks4" in _error(capsys)


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "demo" in out and "classify" in out and "forecast" in out
    assert "--max-epochs" not in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sks4 ")


def test_python_m_sks4_help():
    result = subprocess.run([sys.executable, "-m", "sks4", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: sks4" in result.stdout


# --------------------------------------------------------------------------- user errors
def test_missing_file(tmp_path, capsys):
    assert main(["classify", str(tmp_path / "nope.csv"), str(tmp_path / "b.csv"), "--target", "y"]) == 2
    assert f"TRAIN file not found: {tmp_path / 'nope.csv'}" in _error(capsys)
    assert main(["forecast", str(tmp_path / "nope.csv"), "--horizon", "3"]) == 2
    assert "file not found" in _error(capsys)


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert main(["forecast", str(path), "--horizon", "3"]) == 2
    assert "empty" in _error(capsys)


def test_missing_column(wide_files, series_file, capsys):
    train, test = wide_files
    assert main(["classify", str(train), str(test), "--target", "klass"]) == 2
    err = _error(capsys)
    assert "--target 'klass' is not a column of" in err and "'label'" in err
    assert main(["forecast", str(series_file), "--column", "revenue", "--horizon", "3"]) == 2
    assert "--column 'revenue' is not a column of" in _error(capsys)
    assert main(["forecast", str(series_file), "--column", "sales", "--horizon", "3", "--time-column", "date"]) == 2
    assert "--time-column 'date' is not a column" in _error(capsys)


def test_test_file_lacks_timesteps(wide_files, capsys):
    train, test = wide_files
    pd.read_csv(test).drop(columns=["t3"]).to_csv(test, index=False)
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id"]) == 2
    assert "lacks time-step column(s) of TRAIN: 't3'" in _error(capsys)


def test_non_numeric(wide_files, series_file, capsys):
    train, test = wide_files
    # the id column is text: without --drop it is reported
    assert main(["classify", str(train), str(test), "--target", "label"]) == 2
    err = _error(capsys)
    assert "column 'id'" in err and "is not numeric (e.g. 's0' in data row 1)" in err and "--drop" in err
    frame = pd.read_csv(series_file)
    frame["sales"] = frame["sales"].astype(str)
    frame.loc[5, "sales"] = "n/a?"
    frame.to_csv(series_file, index=False)
    assert main(["forecast", str(series_file), "--column", "sales", "--horizon", "3"]) == 2
    assert "column 'sales'" in (err := _error(capsys)) and "'n/a?' in data row 6" in err


def test_too_little_data(tmp_path, wide_files, capsys):
    train, test = wide_files
    small = tmp_path / "small.csv"
    pd.read_csv(train).head(3).to_csv(small, index=False)
    assert main(["classify", str(small), str(test), "--target", "label", "--drop", "id"]) == 2
    assert "has 3 series; training needs at least 4" in _error(capsys)
    one_class = tmp_path / "one.csv"
    frame = pd.read_csv(train)
    frame[frame["label"] == "up"].to_csv(one_class, index=False)
    assert main(["classify", str(one_class), str(test), "--target", "label", "--drop", "id"]) == 2
    assert "single class" in _error(capsys)
    short = tmp_path / "short.csv"
    _monthly(10).to_csv(short, index=False)
    assert main(["forecast", str(short), "--column", "sales", "--horizon", "6"]) == 2
    assert "has 10 observation(s) of 'sales'; forecasting 6 step(s) needs at least 12" in _error(capsys)


def test_forecast_data_problems(tmp_path, capsys):
    gaps = _monthly(30).drop(index=[7, 8])
    path = tmp_path / "gaps.csv"
    gaps.to_csv(path, index=False)
    assert main(["forecast", str(path), "--column", "sales", "--horizon", "3"]) == 2
    assert "cannot infer a regular frequency from 'month'" in _error(capsys)
    holes = _monthly(30)
    holes.loc[4, "sales"] = np.nan
    holes.to_csv(path, index=False)
    assert main(["forecast", str(path), "--column", "sales", "--horizon", "3"]) == 2
    assert "has 1 empty value(s), first at 2001-05-01" in _error(capsys)
    assert main(["forecast", str(path), "--horizon", "3", "--time-column", "none", "--freq", "D"]) == 2
    assert "--freq needs a time column" in _error(capsys)
    two = _monthly(30).assign(costs=1.0)
    two.to_csv(path, index=False)
    assert main(["forecast", str(path), "--horizon", "3"]) == 2
    assert "name the column to forecast with --column; " in (err := _error(capsys))
    assert "has several numeric columns besides the time column 'month': 'sales', 'costs'" in err
    assert main(["forecast", str(path), "--column", "month", "--time-column", "month", "--horizon", "3"]) == 2
    assert "--column 'month' is the time column" in _error(capsys)
    assert main(["forecast", str(path), "--column", "month", "--horizon", "3"]) == 2  # then month is data
    assert "column 'month'" in (err := _error(capsys)) and "is not numeric (e.g. '2001-01' in data row 1)" in err


def test_output_checked_before_training(wide_files, tmp_path, capsys):
    train, test = wide_files
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "-o", str(tmp_path)]) == 2
    assert f"--output is a folder: {tmp_path}" in _error(capsys)


def test_one_odd_date_is_an_error_not_a_dropped_time_column(tmp_path, capsys):
    # Before: the whole time column was ignored in silence and the rows numbered as steps.
    path = tmp_path / "odd.csv"
    frame = _monthly(30)
    frame.loc[5, "month"] = "2001/06"
    frame.to_csv(path, index=False)
    assert main(["forecast", str(path), "--column", "sales", "--horizon", "3"]) == 2
    assert "'2001/06' in data row 6 is not a date in the format of '2001-01' in row 1" in _error(capsys)
    frame.loc[5, "month"] = "not a date"
    frame.to_csv(path, index=False)
    assert main(["forecast", str(path), "--column", "sales", "--horizon", "3"]) == 2
    assert "'not a date' in data row 6" in _error(capsys)


def test_test_file_checked_before_training(wide_files, monkeypatch, capsys):
    train, test = wide_files
    frame = pd.read_csv(test)
    frame.loc[2, "t5"] = np.nan
    frame.to_csv(test, index=False)
    monkeypatch.setattr(cli, "_classifier", lambda *a: pytest.fail("training started before TEST was checked"))
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id"]) == 2
    err = _error(capsys)
    assert f"{test}: X contains NaN inside a series: data row 3" in err


def test_output_problems_found_before_training(wide_files, series_file, tmp_path, monkeypatch, capsys):
    train, test = wide_files
    monkeypatch.setattr(cli, "_classifier", lambda *a: pytest.fail("training started"))
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "-o", str(test)]) == 2
    assert "is an input file; writing there would replace your data" in _error(capsys)
    assert main(["forecast", str(series_file), "--horizon", "3", "-o", str(series_file)]) == 2
    assert "is an input file" in _error(capsys)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # as without pyarrow / fastparquet
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "-o",
                 str(tmp_path / "p.parquet")]) == 2
    assert "writing Parquet needs pyarrow" in _error(capsys)


def test_output_format_follows_the_file_name(wide_files, tmp_path, monkeypatch, capsys):
    train, test = wide_files
    args = ["classify", str(train), str(test), "--target", "label", "--drop", "id", "--features", "-q", "-o"]
    assert main([*args, str(tmp_path / "pred.tsv")]) == 0
    tsv = pd.read_csv(tmp_path / "pred.tsv", sep="\t")
    assert "prediction" in tsv.columns and len(tsv) == len(pd.read_csv(test))
    assert main([*args, str(tmp_path / "pred.csv.gz")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "pred.csv.gz"), tsv)
    # an unknown suffix was written as CSV under that name; now refused before training
    monkeypatch.setattr(cli, "_classifier", lambda *a: pytest.fail("training started"))
    for name in ("pred.xlsx", "pred", "pred.json"):
        assert main([*args, str(tmp_path / name)]) == 2
        assert "cannot tell the format from the name; end it in .csv, .tsv or .parquet" in _error(capsys)
        assert not (tmp_path / name).exists()


def test_abbreviated_options_are_refused(series_file, capsys):
    # "--cov" would have meant --coverage, and changed meaning in silence were a "--covariates" option added
    assert main(["forecast", str(series_file), "--horizon", "3", "--cov", "0.8"]) == 2
    assert "unrecognized arguments: --cov 0.8" in capsys.readouterr().err


def test_accuracy_with_an_odd_test_label_and_ids_keep_leading_zeros(tmp_path, capsys):
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 16)
    rows = [np.sin(2 * np.pi * 2 * t) if k % 2 else -t for k in range(12)]
    frame = pd.DataFrame(np.array(rows) + 0.05 * rng.standard_normal((12, 16)), columns=[f"t{i}" for i in range(16)])
    frame.insert(0, "label", [k % 2 for k in range(12)])
    frame.insert(0, "id", [f"{k:03d}" for k in range(12)])
    train, test, out = tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "pred.csv"
    frame.to_csv(train, index=False)
    odd = frame.iloc[:6].astype({"label": object})
    odd.loc[0, "label"] = "?"  # one label the model cannot predict: a mismatch, not all of them
    odd.to_csv(test, index=False)
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "--features", "-q",
                 "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    accuracy = float(printed.split("test accuracy: ")[1].split()[0])
    pred = pd.read_csv(out, dtype=str)
    assert pred["id"].tolist() == ["000", "001", "002", "003", "004", "005"]
    expected = np.mean(pred["prediction"].to_numpy() == pred["label"].to_numpy())
    assert accuracy == pytest.approx(expected, abs=1e-4) and accuracy > 0  # printed with 4 decimals


def test_whole_number_floats_as_time_steps(tmp_path, capsys):
    path, out = tmp_path / "years.csv", tmp_path / "f.csv"
    pd.DataFrame({"year": np.arange(1990.0, 2020.0), "sales": np.arange(30.0) + 5}).to_csv(path, index=False)
    assert main(["forecast", str(path), "--time-column", "year", "--column", "sales", "--horizon", "2", "-q",
                 "-o", str(out), "--threads", "1", *TINY]) == 0
    assert pd.read_csv(out)["year"].tolist() == [2020, 2021]
    pd.DataFrame({"year": np.arange(30) + 0.5, "sales": np.arange(30.0)}).to_csv(path, index=False)
    assert main(["forecast", str(path), "--time-column", "year", "--column", "sales", "--horizon", "2"]) == 2
    assert "non-integer numbers" in _error(capsys)


def test_interval_label_and_unexpected_errors(series_file, tmp_path, monkeypatch, capsys):
    out = tmp_path / "f.csv"
    assert main(["forecast", str(series_file), "--column", "sales", "--horizon", "3", "--coverage", "0.125",
                 "-o", str(out), "--threads", "1", "-q", *TINY]) == 0
    assert "12.5% interval" in capsys.readouterr().out
    monkeypatch.setattr(cli, "_run_forecast", lambda args, report: [][1])
    assert main(["forecast", str(series_file), "--horizon", "3"]) == 1
    err = _error(capsys)
    assert "unexpected error (IndexError)" in err and "--traceback" in err


def test_bad_device(series_file, capsys):
    assert main(["forecast", str(series_file), "--horizon", "3", "--device", "tpu"]) == 2
    assert "--device must be" in _error(capsys)


# --------------------------------------------------------------------------- end to end
def test_classify_end_to_end(wide_files, tmp_path, capsys):
    train, test = wide_files
    out = tmp_path / "out" / "pred.csv"
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "-o", str(out), *TINY]) == 0
    captured = capsys.readouterr()
    assert "test accuracy: " in captured.out and f"wrote 6 predictions to {out}" in captured.out
    assert "epoch" in captured.err  # skorch's per-epoch lines, on stderr
    assert "\x1b[" not in captured.err  # without skorch's colour codes: stderr is not a terminal here
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["id", "label", "prediction", "proba_down", "proba_up"]
    assert set(pred["prediction"]) <= {"up", "down"}
    np.testing.assert_allclose(pred[["proba_down", "proba_up"]].sum(axis=1), 1, rtol=1e-5)


def test_classify_features_quiet_without_target(wide_files, tmp_path, capsys):
    train, test = wide_files
    pd.read_csv(test).drop(columns=["label"]).to_csv(test, index=False)
    out = tmp_path / "pred.csv"
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "--features", "-q", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "epoch" not in captured.err and "training" not in captured.err
    assert "accuracy" not in captured.out
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["id", "prediction"]
    assert (pred["prediction"] == ["up", "down"] * 3).mean() >= 5 / 6  # easy classes, no training loop


def test_forecast_end_to_end(series_file, tmp_path, capsys):
    out = tmp_path / "forecast.csv"
    argv = ["forecast", str(series_file), "--column", "sales", "--horizon", "4", "--coverage", "0.8", "-o", str(out),
            "--threads", "1", *TINY]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "training S4Forecaster on 48 observations of 'sales' (2001-01-01 00:00:00 to 2004-12-01 00:00:00, frequency MS)" in captured.err
    assert "80% interval" in captured.out
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["month", "median", "lower", "upper"]
    assert pred["month"].tolist() == ["2005-01-01", "2005-02-01", "2005-03-01", "2005-04-01"]
    assert (pred["lower"] <= pred["median"]).all() and (pred["median"] <= pred["upper"]).all()


def test_forecast_without_time_column(tmp_path, capsys):
    path = tmp_path / "values.tsv"
    pd.DataFrame({"y": np.sin(np.arange(30) / 3) + 2}).to_csv(path, sep="\t", index=False)
    out = tmp_path / "f.csv"
    assert main(["forecast", str(path), "--horizon", "3", "-q", "-o", str(out), *TINY]) == 0
    assert "epoch" not in capsys.readouterr().err
    pred = pd.read_csv(out)
    assert pred["step"].tolist() == [30, 31, 32]


def test_demo_quick(tmp_path, capsys, monkeypatch):
    """The demo's whole path with 2 epochs per model (the real one is the slow test below)."""
    import sks4.datasets
    import sks4.plotting

    airline = sks4.datasets.load_airline()
    # the last 5 years, 4 to train, 1 to forecast: the forecaster's cost grows with the square of the length
    monkeypatch.setattr(sks4.datasets, "load_airline", lambda: airline.iloc[-60:])
    monkeypatch.setattr(cli, "AIRLINE_TRAIN", 48)
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out), "--dataset", "italypowerdemand", "-q", *TINY]) == 0
    captured = capsys.readouterr()
    assert all(line.startswith("sks4: warning:") for line in captured.err.splitlines())  # no progress output
    lines = captured.out.splitlines()
    header = next(line for line in lines if line.startswith("task"))
    for name in ("dataset", "model", "metric", "value", "published reference", "fit time (s)", "predict time (s)"):
        assert name in header
    assert sum("ItalyPowerDemand" in line for line in lines) == 2
    assert any("seasonal naive" in line and "0.145" in line for line in lines)
    results = pd.read_csv(out / "results.csv")
    assert results["model"].tolist() == [
        "S4Classifier", "S4Features + RidgeClassifierCV", "S4Forecaster", "S4Forecaster", "seasonal naive"
    ]
    assert results["value"].between(0, 2).all()
    assert (out / "results.md").read_text().count("\n| ") == 7  # header, separator, 5 rows
    assert (out / "reconstruction.png").stat().st_size > 0
    assert (out / "forecast.png").exists() == hasattr(sks4.plotting, "plot_forecast")


@pytest.mark.slow
def test_demo_full(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out), "-q"]) == 0
    results = pd.read_csv(out / "results.csv")
    assert results.loc[0, "value"] >= 0.9  # S4Classifier on GunPoint
    assert results.loc[1, "value"] >= 0.9  # S4Features + ridge
    assert results.loc[2, "value"] < 0.145  # S4Forecaster beats the seasonal naive sMAPE


# --------------------------------------------------------------------------- review fixes (2026-12-01)
def test_rows_with_one_field_more_than_the_header(wide_files, tmp_path, capsys):
    train, test = wide_files
    out = tmp_path / "pred.csv"
    args = ["classify", str(train), str(test), "--target", "label", "--drop", "id", "--features", "-q", "-o", str(out)]
    # row names without a header field (R's write.table, to_csv(index_label=False)): read as row names, with a word
    for path in (train, test):
        pd.read_csv(path).set_axis([f"r{i}" for i in range(len(pd.read_csv(path)))]).to_csv(path, index_label=False)
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "test accuracy: 1.0000" in printed.out
    assert "one field more than its header; reading the first field as row names" in printed.err
    # an empty last field in every row: a trailing delimiter, or row names over an empty column? Say so.
    for path in (train, test):
        lines = pd.read_csv(path).to_csv(index=False).splitlines()
        path.write_text("\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n")
    assert main(args) == 2
    assert "either every row ends with a delimiter (remove it), or the first field holds row names" in _error(capsys)


def test_unquoted_thousands_or_semicolons_get_a_warning(tmp_path, capsys):
    thousands = tmp_path / "thousands.csv"  # 1,500 unquoted: three fields under a two-field header
    thousands.write_text("date,sales\n" + "".join(f"2020-01-{d:02d},1,{500 + d}\n" for d in range(1, 29)))
    assert main(["forecast", str(thousands), "--horizon", "3", "-q", "--max-epochs", "1", "--threads", "1",
                 "-o", str(tmp_path / "o.csv")]) in (0, 2)
    assert "unquoted thousands separators such as 1,500" in capsys.readouterr().err


def test_the_row_number_column_of_to_csv_is_refused_with_advice(tmp_path, capsys):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    _wide(12, 16, 0).drop(columns="id").to_csv(train)  # with pandas' default index
    _wide(6, 16, 1).drop(columns="id").to_csv(test)
    args = ["classify", str(train), str(test), "--target", "label", "--features", "-q", "-o", str(tmp_path / "p.csv")]
    assert main(args) == 2
    expected = "holds distinct whole numbers (0, 1, 2, ...): row numbers, such as the index that pandas' to_csv()"
    assert expected in _error(capsys)
    assert main([*args, "--drop", "Unnamed: 0"]) == 0
    # a shuffled split's index, and R's write.csv row names 1..n under an empty header
    _wide(12, 16, 0).drop(columns="id").sample(frac=1.0, random_state=0).to_csv(train)
    assert main(args) == 2
    assert "distinct whole numbers" in _error(capsys)
    frame = _wide(12, 16, 0).drop(columns="id")
    frame.index = frame.index + 1
    train.write_text('""' + frame.to_csv()[len(""):])  # header starts with an empty quoted name
    assert main(args) == 2
    assert "(1, 2, 3, ...)" in _error(capsys)


def test_the_file_is_written_before_the_results_are_printed(series_file, tmp_path, monkeypatch):
    # printing to a closed pipe (sks4 forecast ... | head -0) used to lose the written file
    def broken_pipe(message=""):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli._Reporter, "result", staticmethod(broken_pipe))
    out = tmp_path / "forecast.csv"
    assert main(["forecast", str(series_file), "--column", "sales", "--horizon", "3", "-q", "--max-epochs", "1",
                 "--threads", "1", "-o", str(out)]) != 0
    assert len(pd.read_csv(out)) == 3


def test_daily_dates_whose_utc_offset_changes_with_daylight_saving_time(tmp_path):
    # local midnights are irregular in UTC across the change (23 h one day); read as local dates
    days = pd.date_range("2021-03-20", periods=20, freq="D", tz="Europe/Berlin")
    path, out = tmp_path / "dst.csv", tmp_path / "out.csv"
    pd.DataFrame({"date": [t.isoformat() for t in days], "y": np.arange(20.0) + 10}).to_csv(path, index=False)
    assert main(["forecast", str(path), "--horizon", "3", "-q", "--max-epochs", "1", "--threads", "1",
                 "-o", str(out)]) == 0
    assert pd.read_csv(out)["date"].tolist() == ["2021-04-09", "2021-04-10", "2021-04-11"]


def test_a_date_column_that_is_not_first_gets_a_note(tmp_path, capsys):
    frame = _monthly(30)[["sales", "month"]]  # dates second: only the first column is looked at
    path = tmp_path / "second.csv"
    frame.to_csv(path, index=False)
    assert main(["forecast", str(path), "--horizon", "3", "--max-epochs", "1", "--threads", "1",
                 "-o", str(tmp_path / "o.csv")]) == 0
    printed = capsys.readouterr()
    assert "column 'month' reads as dates: to use it as the time column, pass --time-column 'month'" in (
        printed.err + printed.out
    )


def test_time_zone_aware_daily_stamps_across_daylight_saving_time_and_strict_date_notes():
    import types

    days = pd.Series(pd.date_range("2021-03-20", periods=20, freq="D", tz="Europe/Berlin"))  # as Parquet gives them
    index = cli._time_index(days, "date", types.SimpleNamespace(freq=None))
    assert infer_offset(index) == pd.offsets.Day() and index[0] == pd.Timestamp("2021-03-20")
    # the note for a date column that is not first parses strictly, and only a sample of the column
    assert cli._looks_like_dates(pd.Series(["2001-01", "2001-02"]))
    for text in (["10-20", "11-20"], ["1/2", "3/4"], ["1st", "2nd"], ["3a", "4b"]):
        assert not cli._looks_like_dates(pd.Series(text))


def test_output_dash_writes_csv_to_stdout_and_the_rest_to_stderr(wide_files, capsys):
    train, test = wide_files
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "--features", "-o", "-"]) == 0
    printed = capsys.readouterr()
    table = pd.read_csv(io.StringIO(printed.out))
    assert len(table) == 6 and "prediction" in table.columns
    assert "test accuracy:" in printed.err and "wrote 6 predictions to standard output" in printed.err


def test_row_names_that_run_0_1_2_are_still_seen(tmp_path, capsys):
    # an evenly spaced first field made pandas build a RangeIndex, which hid the extra field
    path = tmp_path / "hole.csv"
    path.write_text("t,y\n" + "".join(f"{i},{i},{100 + i}\n" for i in range(30)))
    assert main(["forecast", str(path), "--column", "y", "--horizon", "3", "-q", "--max-epochs", "1",
                 "--threads", "1", "-o", str(tmp_path / "o.csv")]) in (0, 2)
    assert "one field more than its header; reading the first field as row names" in capsys.readouterr().err


def _dated_file(tmp_path, name, dates, sep=",", values=None):
    values = values or [str(100 + i) for i in range(len(dates))]
    path = tmp_path / name
    path.write_text(f"date{sep}sales\n" + "".join(f"{d}{sep}{v}\n" for d, v in zip(dates, values)))
    return path


def test_day_and_month_order_is_asked_for_when_the_dates_allow_both(tmp_path, capsys):
    # monthly on the 1st, day first: pandas alone reads 01/02/2018 as 2 January (twelve January days)
    path = _dated_file(tmp_path, "dmy.csv", [f"01/{m:02d}/2018" for m in range(1, 13)])
    out = tmp_path / "out.csv"
    assert main(["forecast", str(path), "--horizon", "2", "-q", "-o", str(out), *TINY]) == 2
    error = _error(capsys)
    assert "day and month can be read either way" in error and "--dayfirst" in error
    assert main(["forecast", str(path), "--horizon", "2", "-q", "--dayfirst", "-o", str(out), *TINY]) == 0
    assert pd.read_csv(out)["date"].tolist() == ["2019-01-01", "2019-02-01"]
    # a day above 12 settles the order
    daily = _dated_file(tmp_path, "daily.csv", [f"{d:02d}/03/2020" for d in range(1, 25)])
    assert main(["forecast", str(daily), "--horizon", "2", "-q", "-o", str(out), *TINY]) == 0
    assert pd.read_csv(out)["date"].tolist() == ["2020-03-25", "2020-03-26"]
    assert main(["forecast", str(path), "--horizon", "2", "--dayfirst", "--monthfirst", *TINY]) == 2


def test_semicolon_separated_files_with_decimal_commas_are_read(tmp_path, capsys):
    path = _dated_file(tmp_path, "semi.csv", [f"2018-{m:02d}-01" for m in range(1, 13)], sep=";",
                       values=[f"{100 + m},5" for m in range(1, 13)])
    out = tmp_path / "out.csv"
    assert main(["forecast", str(path), "--horizon", "2", "-o", str(out), *TINY]) == 0
    captured = capsys.readouterr()
    assert "reads as ';'-separated with decimal commas" in captured.err
    assert "forecast of 'sales'" in captured.out
    assert pd.read_csv(out)["median"].between(90, 130).all()


def test_monthly_dates_on_another_day_of_the_month_are_forecast(tmp_path):
    path = _dated_file(tmp_path, "mid.csv", [f"2018-{m:02d}-15" for m in range(1, 13)])
    out = tmp_path / "out.csv"
    assert main(["forecast", str(path), "--horizon", "2", "-q", "-o", str(out), *TINY]) == 0
    assert pd.read_csv(out)["date"].tolist() == ["2019-01-15", "2019-02-15"]


def test_true_false_columns_are_not_forecast_and_an_integer_first_column_gets_a_note(tmp_path, capsys):
    flags = _dated_file(tmp_path, "flags.csv", [f"2018-{m:02d}-01" for m in range(1, 13)],
                        values=["True" if m % 2 else "False" for m in range(12)])
    assert main(["forecast", str(flags), "--horizon", "2", *TINY]) == 2
    assert "no numeric column" in _error(capsys)
    assert main(["forecast", str(flags), "--column", "sales", "--horizon", "2", *TINY]) == 2
    assert "holds True/False values" in _error(capsys)
    years = tmp_path / "years.csv"
    years.write_text("year,v\n" + "".join(f"{2000 + i},{10 + i}\n" for i in range(12)))
    out = tmp_path / "out.csv"
    assert main(["forecast", str(years), "--column", "v", "--horizon", "2", "-o", str(out), *TINY]) == 0
    assert "pass --time-column 'year'" in capsys.readouterr().err  # notes go to stderr


def test_a_file_without_header_row_is_refused(tmp_path, capsys):
    path = tmp_path / "nohdr.csv"
    path.write_text("".join(f"2018-{m:02d}-01,{100 + m}\n" for m in range(1, 13)))
    assert main(["forecast", str(path), "--horizon", "2", *TINY]) == 2
    assert "seems to have no header row" in _error(capsys)


def test_the_day_and_month_options_leave_iso_dates_alone(tmp_path):
    path = _dated_file(tmp_path, "iso.csv", [f"2020-{m:02d}-01" for m in range(1, 13)])
    out = tmp_path / "out.csv"
    for option in ("--dayfirst", "--monthfirst"):
        assert main(["forecast", str(path), "--horizon", "2", "-q", option, "-o", str(out), *TINY]) == 0
        assert pd.read_csv(out)["date"].tolist() == ["2021-01-01", "2021-02-01"]


def test_a_date_column_note_wins_over_an_integer_first_column(tmp_path, capsys):
    path = tmp_path / "indexed.csv"
    pd.DataFrame({"date": [f"2020-{m:02d}-01" for m in range(1, 13)], "value": np.arange(12.0)}).to_csv(path)
    out = tmp_path / "o.csv"
    assert main(["forecast", str(path), "--column", "value", "--horizon", "2", "-o", str(out), *TINY]) == 0
    err = capsys.readouterr().err
    assert "column 'date' reads as dates" in err and "evenly spaced integers" not in err


def test_a_header_of_years_is_a_header_when_a_named_column_is_in_it(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text("2020,2021\n" + "".join(f"{i},{10 + i}\n" for i in range(12)))
    assert main(["forecast", str(path), "--column", "2021", "--horizon", "2", "-q", "-o", str(tmp_path / "o.csv"),
                 *TINY]) == 0


def test_classify_reads_integer_labels_written_as_floats_and_keeps_its_output_columns_apart(wide_files, tmp_path, capsys):
    train, test = wide_files
    frame = pd.read_csv(test)
    labels = frame["label"].to_numpy()
    numbered = {label: k + 1 for k, label in enumerate(sorted(set(labels)))}
    for path, source in ((tmp_path / "train_int.csv", pd.read_csv(train)), (tmp_path / "test_int.csv", frame.copy())):
        source["label"] = source["label"].map(numbered)
        if "test" in path.name:
            source["label"] = source["label"].astype(float)  # pandas writes 2.0 for a column with a gap
            source.loc[0, "label"] = np.nan
        source.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    args = ["classify", str(tmp_path / "train_int.csv"), str(tmp_path / "test_int.csv"), "--target", "label"]
    assert main([*args, "--drop", "id", "--features", "-o", str(out)]) == 0
    accuracy = float(capsys.readouterr().out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.5  # '2.0' used to count as a mismatch of 2: 0.0
    clash = pd.read_csv(test).rename(columns={"id": "prediction"})
    clash.to_csv(tmp_path / "clash.csv", index=False)
    assert main(["classify", str(train), str(tmp_path / "clash.csv"), "--target", "label", "--drop", "prediction",
                 "--features", "-o", str(out)]) == 2
    assert "would be overwritten by the output's own column" in _error(capsys)


def test_an_output_that_is_a_hard_link_to_an_input_is_refused(wide_files, tmp_path, capsys):
    import os

    train, test = wide_files
    link = tmp_path / "link.csv"
    os.link(test, link)
    assert main(["classify", str(train), str(test), "--target", "label", "--drop", "id", "-o", str(link), *TINY]) == 2
    assert "is an input file" in _error(capsys)


def test_a_closed_pipe_ends_the_command_quietly(wide_files):
    import subprocess
    import sys

    train, test = wide_files
    command = [sys.executable, "-m", "sks4", "classify", str(train), str(test), "--target", "label", "--drop", "id",
               "--features", "-q", "-o", "-"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader goes away before the predictions are written
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141 and b"error" not in err and b"Traceback" not in err
