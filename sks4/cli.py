"""The ``sks4`` command line (also ``python -m sks4``).

Subcommands
-----------
``sks4 demo``
    The main job on the data shipped with sks4, offline: an
    :class:`~sks4.S4Classifier` and :class:`~sks4.S4Features` + ridge on a
    classification dataset, an :class:`~sks4.S4Forecaster` on the airline
    series; prints a results table next to published references and writes
    it (``results.md``, ``results.csv``) with figures (``reconstruction.png``,
    ``forecast.png``) to an output folder.
``sks4 classify TRAIN TEST --target COLUMN``
    Train on a wide CSV / Parquet file (one row per series, the other numeric
    columns are the time steps) and write the predictions for TEST.
``sks4 forecast FILE --column COLUMN --horizon H``
    Forecast one column of a CSV / Parquet file with a time column and write
    the median forecast with a prediction interval.

User errors (a missing file or column, non-numeric data, too little data,
bad options) print one ``sks4 <command>: error: ...`` line on stderr and exit with
status 2; progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

# OpenMP threads that wait for work by spinning keep a core busy between the
# many small operations of S4 training; when another process shares the
# cores, the spinning and the other process slow each other down severalfold.
# Measured on 2 cores (30 GunPoint epochs, docs/estimators.md): default
# spinning 2.4 s idle but 7.2 s beside one busy process; GOMP_SPINCOUNT=10000
# (GNU OpenMP, which the Linux torch wheels use) 2.1 s and 4.6 s; passive
# waiting 3.2 s and 3.1 s but the whole demo 60% slower when idle. The CLI
# takes the short spin unless the user chose a policy. It only takes effect if
# set before torch starts its thread pool, i.e. before torch is imported: the
# CLI imports it lazily.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__all__ = ["main"]

PROG = "sks4"
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE

# Published test results on the default splits (sks4/datasets DESCR and
# shared/data/README.md: "Bake off redux", InceptionTime result files,
# statsmodels baselines on the airline split).
REFERENCES = {
    "GunPoint": "InceptionTime 1.000, MiniRocket 0.993, HIVE-COTE 2 1.000",
    "ItalyPowerDemand": "InceptionTime 0.966, MiniRocket 0.963, HIVE-COTE 2 0.970",
    "airline": "AutoETS 0.063, ARIMA(0,1,1)(0,1,1)12 0.081, Theta 0.087",
    "airline-naive": "seasonal naive 0.145",
    "airline-coverage": "nominal 0.90",
}
DEMO_DATASETS = {"gunpoint": "GunPoint", "italypowerdemand": "ItalyPowerDemand"}
AIRLINE_TRAIN, AIRLINE_HORIZON, AIRLINE_PERIOD = 108, 36, 12

MIN_TRAIN_SERIES = 4
MIN_TIMESTEPS = 2
MIN_FORECAST_OBS = 8


class UserError(Exception):
    """A problem with the user's input or options: reported in one line, exit status 2."""


# --------------------------------------------------------------------------- output helpers
class _Reporter:
    """Status lines on stderr (silenced by ``--quiet``), results on stdout."""

    def __init__(self, quiet: bool, results_to_stderr: bool = False):
        self.quiet = quiet
        self.results_to_stderr = results_to_stderr  # --output -: stdout carries the table itself

    def status(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def result(self, message: str = "") -> None:
        print(message, file=sys.stderr if self.results_to_stderr else sys.stdout, flush=True)

    @property
    def verbose(self) -> int:
        """``verbose`` for the estimators: skorch's per-epoch lines unless quiet."""
        return 0 if self.quiet else 1

    def training(self):
        """Context for a fit: skorch prints its epoch table to stdout; send it to stderr.

        skorch colours the best values with ANSI escape codes; they are
        dropped when stderr is not a terminal (a log file, a pipe, CI).
        """
        target = sys.stderr
        if not (hasattr(target, "isatty") and target.isatty()):
            target = _PlainText(target)
        return contextlib.redirect_stdout(target)


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _PlainText(io.TextIOBase):
    """Text stream that writes to ``stream`` without ANSI escape sequences."""

    def __init__(self, stream):
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._stream.write(_ANSI_ESCAPE.sub("", text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- argument parsing
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"the seed must lie in [0, 2**32), got {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number strictly between 0 and 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sks4`` command."""
    from sks4 import __version__

    # allow_abbrev=False: an abbreviated option (--hor for --horizon) is an error, so that a
    # future option cannot silently change what an existing command line means.
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--device",
        default="auto",
        help="'auto' (CUDA when available, else the CPU), 'cpu', 'cuda' or 'cuda:N' (default: auto)",
    )
    group.add_argument("--seed", type=_seed, default=0, help="random seed of the models (default: 0)")
    group.add_argument("--threads", type=_positive_int, default=None, metavar="N",
                       help="CPU threads for torch and BLAS (default: torch's default, the number of cores)")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress output (per-epoch lines, stages)")
    # Development options, hidden from --help: short runs for tests and smoke checks.
    group.add_argument("--max-epochs", type=_positive_int, default=None, help=argparse.SUPPRESS)
    group.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description="S4 state space models for time series, from the command line.",
        epilog="Run 'sks4 COMMAND --help' for the options of a command; 'sks4 demo' is the place to start.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        allow_abbrev=False,
        help="train and evaluate on the shipped datasets; write a results table and figures",
        description=(
            "Train an S4Classifier and S4Features + ridge on a shipped classification dataset and an "
            "S4Forecaster on the airline series (first 108 months; the last 36 are forecast), offline. "
            "Prints a results table next to published references and writes results.md, results.csv, "
            "reconstruction.png and forecast.png (figures need matplotlib) to the output folder."
        ),
    )
    demo.add_argument("--output", "-o", type=Path, default=Path("sks4-demo"), metavar="DIR",
                      help="output folder (default: ./sks4-demo)")
    demo.add_argument("--dataset", choices=sorted(DEMO_DATASETS), default="gunpoint",
                      help="classification dataset (default: gunpoint)")
    demo.set_defaults(handler=_run_demo)

    classify = sub.add_parser(
        "classify",
        parents=[common],
        allow_abbrev=False,
        help="train a classifier on a wide CSV/Parquet file and predict another",
        description=(
            "Train on TRAIN and predict TEST. Both are wide CSV or Parquet files: one row per series, the "
            "target column, and one numeric column per time step (trailing empty cells shorten a series). "
            "Prints the test accuracy when TEST has the target column; writes the predictions."
        ),
    )
    classify.add_argument("train", type=Path, metavar="TRAIN", help="training file (.csv, .csv.gz, .tsv, .parquet)")
    classify.add_argument("test", type=Path, metavar="TEST", help="file to predict (same time-step columns)")
    classify.add_argument("--target", required=True, metavar="COLUMN", help="name of the label column")
    classify.add_argument("--drop", action="append", default=[], metavar="COLUMN",
                          help="a column that is not a time step (an id, ...); repeat for several")
    classify.add_argument("--features", action="store_true",
                          help="S4Features + StandardScaler + RidgeClassifierCV instead of S4Classifier (fast, no training loop)")
    classify.add_argument("--output", "-o", type=Path, default=Path("predictions.csv"), metavar="FILE",
                          help="predictions file, .csv, .tsv or .parquet, or - for CSV on stdout (default: predictions.csv)")
    classify.set_defaults(handler=_run_classify)

    forecast = sub.add_parser(
        "forecast",
        parents=[common],
        allow_abbrev=False,
        help="forecast a column of a CSV/Parquet file with a time column",
        description=(
            "Fit an S4Forecaster on one column of FILE and forecast the next H steps with a central "
            "prediction interval. Rows are time steps; the time column gives their dates (the frequency "
            "is inferred, or set with --freq); without one the rows are numbered 0, 1, 2, ..."
        ),
    )
    forecast.add_argument("file", type=Path, metavar="FILE", help="data file (.csv, .csv.gz, .tsv, .parquet)")
    forecast.add_argument("--column", metavar="COLUMN",
                          help="the column to forecast (default: the only numeric column besides the time column)")
    forecast.add_argument("--horizon", type=_positive_int, required=True, metavar="H", help="steps to forecast")
    forecast.add_argument(
        "--time-column", metavar="COLUMN", default=None,
        help="column of dates (or evenly spaced integers); default: the first column if it reads as dates; "
             "'none': no time column, rows are numbered",
    )
    forecast.add_argument("--freq", default=None,
                          help="pandas frequency of the dates (MS, D, h, W-SUN, ...) when it cannot be inferred")
    order = forecast.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="date_order", action="store_const", const="day",
                       help="dates such as 03/04/2020 are day first (3 April); needed when no day exceeds 12")
    order.add_argument("--monthfirst", dest="date_order", action="store_const", const="month",
                       help="dates such as 03/04/2020 are month first (4 March)")
    forecast.add_argument("--coverage", type=_fraction, default=0.9,
                          help="probability of the prediction interval (default: 0.9)")
    forecast.add_argument("--output", "-o", type=Path, default=Path("predictions.csv"), metavar="FILE",
                          help="forecast file, .csv, .tsv or .parquet, or - for CSV on stdout (default: predictions.csv)")
    forecast.set_defaults(handler=_run_forecast)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sks4`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    report = _Reporter(args.quiet, results_to_stderr=args.command != "demo" and str(args.output) == STDOUT)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            _check_device(args.device)
            with _thread_limit(args.threads):
                return args.handler(args, report)
    except BrokenPipeError:
        # the reader of standard output went away (`| head`): what was written stays written; stop
        # quietly, with the status of a process ended by SIGPIPE, as other command-line tools do
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except (UserError, ValueError, TypeError, FloatingPointError, OSError) as exc:
        # UserError: found by the CLI; ValueError / TypeError: the estimators' input checks, which name
        # the problem; FloatingPointError: a diverged training; OSError: files that cannot be read/written.
        if args.traceback:
            raise
        print(f"{PROG} {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, and how to see (and report) the details
        if args.traceback:
            raise
        print(
            f"{PROG} {args.command}: unexpected error ({type(exc).__name__}): {_one_line(exc)}; run again with "
            "--traceback for the details, and please report it",
            file=sys.stderr,
        )
        return 1


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit does not raise again."""
    import io
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # no real file descriptor (captured output)
        pass


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"no such file: {exc.filename}"
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def _check_device(device: str) -> None:
    if device == "auto":
        return
    import torch

    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise UserError(f"--device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}.") from None
    if resolved.type not in ("cpu", "cuda"):
        raise UserError(f"--device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}.")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device {device} but CUDA is not available on this machine; use --device cpu or auto.")


@contextlib.contextmanager
def _thread_limit(threads: int | None):
    """Run with ``threads`` CPU threads in torch and in BLAS / OpenMP pools (no change when None)."""
    if threads is None:
        yield
        return
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)


def _device_name(device: str) -> str:
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        index = torch.device(device).index or 0
        return f"{device} ({torch.cuda.get_device_name(index)})"
    return f"cpu ({torch.get_num_threads()} torch threads)"


# --------------------------------------------------------------------------- files
def _read_table(path: Path, what: str, text_columns: Sequence[str] = ()):
    """A DataFrame from a CSV (also .gz, .tsv) or Parquet file, with readable errors.

    ``text_columns`` (labels, ids) are read from CSV as text, so that ``007`` stays ``007``.
    """
    import pandas as pd

    if not path.exists():
        raise UserError(f"{what} file not found: {path}")
    if path.is_dir():
        raise UserError(f"{what} is a folder, not a file: {path}")
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if suffixes and suffixes[-1] in (".parquet", ".pq"):
            try:
                return pd.read_parquet(path)
            except ImportError:
                raise UserError(
                    f"reading Parquet files ({path}) needs pyarrow or fastparquet: pip install pyarrow"
                ) from None
        sep = "\t" if ".tsv" in suffixes else ","
        decimal = "."
        if sep == "," and _semicolon_separated(path):
            sep, decimal = ";", _semicolon_decimal(path)
            note = f"{path} reads as ';'-separated" + (" with decimal commas" if decimal == "," else "")
            warnings.warn(note, UserWarning, stacklevel=2)
        dtype = {c: str for c in text_columns} or None
        frame = pd.read_csv(path, sep=sep, dtype=dtype, decimal=decimal)
        if _rows_longer_than_header(path, sep, frame):
            # Every data row has one field more than the header: pandas reads the first field as
            # row names (R's write.table, to_csv(index_label=False)). When the last field is empty in
            # every row, the rows may as well end in a delimiter, which would shift every column:
            # the two cannot be told apart, so say so instead of guessing.
            if frame.iloc[:, -1].isna().all():
                raise UserError(
                    f"the data rows of {path} have one field more than its header row, and that last field is "
                    "empty in every row: either every row ends with a delimiter (remove it), or the first field "
                    "holds row names (give that column a name in the header)"
                )
            warnings.warn(
                f"the data rows of {path} have one field more than its header; reading the first field as "
                "row names. If it is not (numbers with unquoted thousands separators such as 1,500, or a "
                "';'-separated file), fix the file",
                UserWarning,
                stacklevel=2,
            )
            frame = frame.reset_index(drop=True)
    except pd.errors.EmptyDataError:
        raise UserError(f"{what} file is empty: {path}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {what} file {path} as CSV: {_one_line(exc)}") from None
    if frame.empty:
        raise UserError(f"{what} file has no data rows: {path}")
    return frame


def _rows_longer_than_header(path: Path, sep: str, frame) -> bool:
    """Whether the data rows have more fields than the header row (pandas then reads row names)."""
    import pandas as pd

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        return True
    # Row names that happen to run 0, 1, 2, ... also make a RangeIndex: ask the first rows directly.
    try:
        pd.read_csv(path, sep=sep, header=None, nrows=5, dtype=str)
    except pd.errors.ParserError:
        return True  # "Expected n fields in line 2, saw n + 1"
    return False


_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz")  # what pandas writes with the standard library alone


def _output_format(path: Path) -> str:
    """"parquet", "tsv" or "csv" from the file name; an error for any other name.

    CSV and TSV may end in a compression suffix (``.csv.gz``), which pandas
    applies when it writes.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    if suffixes and suffixes[-1] in _COMPRESSIONS:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in (".csv", ".tsv"):
        return suffixes[-1][1:]
    raise UserError(
        f"--output {path}: cannot tell the format from the name; end it in .csv, .tsv or .parquet "
        "(.csv.gz, .csv.bz2, .csv.xz, .csv.zip and the same for .tsv are compressed)"
    )


STDOUT = "-"  # --output -: the table as CSV on standard output


def _destination(path: Path) -> str:
    return "standard output" if str(path) == STDOUT else str(path)


def _check_output_file(path: Path, inputs: Sequence[Path] = ()) -> None:
    """Fail before any training when the predictions cannot go to ``path``."""
    import importlib.util
    import os

    if str(path) == STDOUT:
        return

    if path.is_dir():
        raise UserError(f"--output is a folder: {path}; give a file name such as {path / 'predictions.csv'}")
    def same_file(p: Path) -> bool:  # also a hard link to it
        if path.resolve() == Path(p).resolve():
            return True
        return path.exists() and Path(p).exists() and os.path.samefile(path, p)

    if any(same_file(Path(p)) for p in inputs):
        raise UserError(f"--output {path} is an input file; writing there would replace your data")
    if _output_format(path) == "parquet" and not any(
        importlib.util.find_spec(engine) for engine in ("pyarrow", "fastparquet")
    ):
        raise UserError("writing Parquet needs pyarrow: pip install pyarrow (or write a .csv)")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UserError(f"--output {path}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise UserError(f"--output {path}: no permission to write in {parent}")
            break
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"--output {path}: the file exists and is not writable")


def _write_table(frame, path: Path, *, index: bool = False) -> None:
    if str(path) == STDOUT:
        frame.to_csv(sys.stdout, index=index)
        sys.stdout.flush()
        return
    _check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = _output_format(path)
    if kind == "parquet":
        try:
            frame.to_parquet(path, index=index)
        except ImportError:
            raise UserError("writing Parquet needs pyarrow: pip install pyarrow (or write a .csv)") from None
    else:
        frame.to_csv(path, index=index, sep="\t" if kind == "tsv" else ",")


def _column_list(columns, limit: int = 12) -> str:
    names = [repr(str(c)) for c in columns]
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _require_column(frame, column: str, path: Path, option: str) -> None:
    if column not in frame.columns:
        raise UserError(f"{option} {column!r} is not a column of {path}; its columns are {_column_list(frame.columns)}")


def _non_numeric_message(frame, columns, path: Path) -> str | None:
    """A message naming the first non-numeric cell among ``columns``, or None if all are numeric."""
    import pandas as pd

    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not bad:
        return None
    first = bad[0]
    values = frame[first]
    coerced = pd.to_numeric(values, errors="coerce")
    rows = values.index[coerced.isna() & values.notna()]
    example = f" (e.g. {values.loc[rows[0]]!r} in data row {int(rows[0]) + 1})" if len(rows) else ""
    more = f" and {len(bad) - 1} more: {_column_list(bad[1:], 5)}" if len(bad) > 1 else ""
    return f"column {str(first)!r} of {path} is not numeric{example}{more}"


# --------------------------------------------------------------------------- classify
def _run_classify(args, report: _Reporter) -> int:
    import numpy as np

    _check_output_file(args.output, (args.train, args.test))
    train = _read_table(args.train, "TRAIN", text_columns=(args.target, *args.drop))
    test = _read_table(args.test, "TEST", text_columns=(args.target, *args.drop))
    _require_column(train, args.target, args.train, "--target")
    for column in args.drop:
        if column not in train.columns and column not in test.columns:
            raise UserError(f"--drop {column!r} is a column of neither {args.train} nor {args.test}")
    skip = {args.target, *args.drop}
    for frame, path in ((train, args.train), (test, args.test)):
        _refuse_row_number_column(frame, path, skip)
    kept = [c for c in test.columns if c in skip]  # written to the output next to the predictions
    clash = [c for c in kept if str(c) == "prediction" or str(c).startswith("proba_")]
    if clash:
        raise UserError(
            f"column {str(clash[0])!r} of {args.test} would be overwritten by the output's own column of that "
            "name (prediction, proba_<class>); rename it in the file"
        )
    steps = [c for c in train.columns if c not in skip]
    if len(steps) < MIN_TIMESTEPS:
        raise UserError(
            f"{args.train} has {len(steps)} time-step column(s) besides the target; a series needs at least "
            f"{MIN_TIMESTEPS} (wide format: one row per series, one column per time step)"
        )
    message = _non_numeric_message(train, steps, args.train)
    if message:
        raise UserError(f"{message}; time-step columns must hold numbers (leave other columns out with --drop)")
    missing = [c for c in steps if c not in test.columns]
    if missing:
        raise UserError(f"{args.test} lacks time-step column(s) of TRAIN: {_column_list(missing)}")
    message = _non_numeric_message(test, steps, args.test)
    if message:
        raise UserError(f"{message}; time-step columns must hold numbers")
    extra = [c for c in test.columns if c not in skip and c not in steps]
    if extra:
        report.status(f"note: ignoring column(s) of {args.test} that TRAIN does not have: {_column_list(extra, 5)}")

    labels = train[args.target]
    if labels.isna().any():
        raise UserError(
            f"{int(labels.isna().sum())} row(s) of {args.train} have no {args.target!r} value; "
            "every training series needs a label"
        )
    n_classes = labels.nunique()
    if n_classes < 2:
        raise UserError(f"{args.train} has a single class in {args.target!r} ({labels.iloc[0]!r}); need at least 2")
    if len(train) < MIN_TRAIN_SERIES:
        raise UserError(f"{args.train} has {len(train)} series; training needs at least {MIN_TRAIN_SERIES}")

    X_train = train[steps].to_numpy(dtype=np.float64, na_value=np.nan)
    X_test = test[steps].to_numpy(dtype=np.float64, na_value=np.nan)
    for X, path in ((X_train, args.train), (X_test, args.test)):
        _check_series(X, path)  # both files, before any training
    y_train = labels.to_numpy()
    model, name = _classifier(args, report)
    report.status(
        f"training {name} on {len(train)} series of {len(steps)} steps, {n_classes} classes ({args.train})"
    )
    start = time.perf_counter()
    with report.training():
        model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    predictions = model.predict(X_test)
    predict_time = time.perf_counter() - start
    report.status(f"fitted in {fit_time:.1f} s; predicted {len(test)} series in {predict_time:.2f} s")

    # the output: the test file's id columns (--drop) and target, then the predictions
    out = test[[c for c in test.columns if c in args.drop or c == args.target]].copy()
    out["prediction"] = predictions
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X_test)
        for k, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, k]
    accuracy_line = None
    if args.target in test.columns:
        truth = test[args.target]
        known = truth.notna().to_numpy()
        if known.any():
            accuracy = float(np.mean(_same_labels(truth[known], np.asarray(predictions)[known], labels.dtype)))
            partial = "" if known.all() else f" (on the {int(known.sum())} labelled rows)"
            accuracy_line = f"test accuracy: {accuracy:.4f}{partial}"
    # the file first: output to a closed pipe must not lose the predictions
    _write_table(out, args.output)
    if accuracy_line is not None:
        report.result(accuracy_line)
    report.result(f"wrote {len(out)} predictions to {_destination(args.output)}")
    return 0


def _refuse_row_number_column(frame, path: Path, skip) -> None:
    """An unnamed first column of distinct integers is a written index (``to_csv()``, R's row names), not a time step.

    pandas writes 0, 1, 2, ..., also shuffled or a subset after a split; R's
    ``write.csv`` writes 1, 2, 3, ... under an empty header.
    """
    import pandas as pd

    first = frame.columns[0]
    if first in skip or not str(first).startswith("Unnamed: 0"):
        return
    values = frame[first]
    if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values) and values.is_unique:
        shown = ", ".join(str(v) for v in values[:3].tolist())
        raise UserError(
            f"the first column of {path} has no name and holds distinct whole numbers ({shown}, ...): row numbers, "
            "such as the index that pandas' to_csv() writes, which would be read as time step 0; leave it out "
            f"with --drop {str(first)!r}, or save the file with to_csv(..., index=False)"
        )


def _check_series(X, path: Path) -> None:
    """The estimators' own checks of the series in ``X`` (rows of ``path``), as a message naming file and row."""
    import re

    from sks4.data import to_padded

    try:
        to_padded(X, name="X")
    except ValueError as exc:
        # the package counts samples from 0; the CLI names data rows from 1
        message = re.sub(r"\bsample (index )?(\d+)", lambda m: f"data row {int(m.group(2)) + 1}", _one_line(exc))
        raise UserError(f"{path}: {message}") from None


def _same_labels(truth, predictions, dtype):
    """Element-wise ``truth == predictions``, with the test labels read as the training labels' type.

    A test column with gaps reads as floats (1.0 for 1), one with an odd entry as text ('1' for 1):
    numeric labels are compared as numbers (what does not read as one is a mismatch), others as text,
    where test labels that are all integers written as floats ('2.0') count as those integers.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return pd.to_numeric(truth, errors="coerce").to_numpy(dtype=np.float64) == predictions.astype(np.float64)
    truth, predictions = truth.astype(str), pd.Series(predictions).astype(str)
    if truth.str.fullmatch(r"-?\d+\.0").all() and predictions.str.fullmatch(r"-?\d+").all():
        truth = truth.str[:-2]  # integer labels written as floats (2.0), as pandas writes a column with gaps
    return truth.to_numpy() == predictions.to_numpy()


def _classifier(args, report: _Reporter):
    if args.features:
        import numpy as np
        from sklearn.linear_model import RidgeClassifierCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from sks4 import S4Features

        model = make_pipeline(S4Features(), StandardScaler(), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
        return model, "S4Features + RidgeClassifierCV"
    from sks4 import S4Classifier

    params = {"device": args.device, "random_state": args.seed, "verbose": report.verbose}
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    return S4Classifier(**params), "S4Classifier"


# --------------------------------------------------------------------------- forecast
def _run_forecast(args, report: _Reporter) -> int:
    import pandas as pd

    _check_output_file(args.output, (args.file,))
    frame = _read_table(args.file, "data")
    _check_header_row(frame, args)
    time_column = _time_column(frame, args)
    first = frame.columns[0]
    text_first = first != args.column and not pd.api.types.is_numeric_dtype(frame[first])
    if time_column is None and args.time_column is None and text_first:
        report.status(
            f"note: the first column {str(first)!r} does not read as dates; numbering the rows as steps "
            "(name the time column with --time-column)"
        )
    elif time_column is None and args.time_column is None:
        # only the first column is taken as the time column: say so when another one holds dates
        dated = [c for c in frame.columns[1:] if c != args.column and _looks_like_dates(frame[c])]
        if dated:
            report.status(
                f"note: numbering the rows as steps; column {str(dated[0])!r} reads as dates: to use it as "
                f"the time column, pass --time-column {str(dated[0])!r}"
            )
        elif first != args.column and _evenly_spaced_integers(frame[first]):
            report.status(
                f"note: numbering the rows as steps; the first column {str(first)!r} holds evenly spaced "
                f"integers: to use it as the time column (years, ...), pass --time-column {str(first)!r}"
            )
    if args.freq is not None and time_column is None:
        raise UserError("--freq needs a time column of dates (--time-column)")
    others = [c for c in frame.columns if c != time_column]
    if args.column is None:
        numeric = [c for c in others if _holds_numbers(frame[c])]
        if len(numeric) != 1:
            besides = "" if time_column is None else f" besides the time column {str(time_column)!r}"
            found = f"several numeric columns{besides}: {_column_list(numeric)}" if numeric else f"no numeric column{besides}"
            raise UserError(f"name the column to forecast with --column; {args.file} has {found}")
        column = numeric[0]
    else:
        column = args.column
        _require_column(frame, column, args.file, "--column")
        if column == time_column:
            raise UserError(f"--column {column!r} is the time column; name the column of values to forecast")
    message = _non_numeric_message(frame, [column], args.file)
    if message:
        raise UserError(f"{message}; the column to forecast must hold numbers")
    if not _holds_numbers(frame[column]):  # numeric, so True/False (non-numeric columns were named above)
        raise UserError(
            f"column {str(column)!r} holds True/False values; the column to forecast must hold numbers "
            "(write them as counts or amounts)"
        )

    values = frame[column].astype("float64")
    if time_column is None:
        values.index = pd.RangeIndex(len(values), name="step")
    else:
        values.index = _time_index(frame[time_column], time_column, args)
        if not values.index.is_monotonic_increasing:
            values = values.sort_index(kind="stable")
            report.status(f"note: sorted the rows by {time_column!r}")
        duplicated = values.index.duplicated()
        if duplicated.any():
            raise UserError(f"time column {time_column!r} repeats {values.index[duplicated][0]} (each time step once)")
    missing = values.isna().to_numpy()
    if missing.any():
        raise UserError(
            f"column {str(column)!r} has {int(missing.sum())} empty value(s), first at {values.index[missing][0]}; "
            "fill them first (S4Forecaster needs a complete series)"
        )
    horizon = args.horizon
    needed = max(2 * horizon, MIN_FORECAST_OBS)
    if len(values) < needed:
        raise UserError(
            f"{args.file} has {len(values)} observation(s) of {str(column)!r}; forecasting {horizon} step(s) "
            f"needs at least {needed} (twice the horizon, and at least {MIN_FORECAST_OBS})"
        )
    freq = args.freq
    if isinstance(values.index, pd.DatetimeIndex) and freq is None:
        from sks4.forecasting import infer_offset

        inferred = infer_offset(values.index)
        if inferred is None:
            raise UserError(
                f"cannot infer a regular frequency from {time_column!r} (dates missing or unevenly spaced?); "
                "fill the gaps, or pass --freq (e.g. MS for month starts, D for days, h for hours)"
            )
        # an alias where pandas has one; a month step on another day (the 15th) is an offset without one
        freq = inferred if type(inferred) is pd.DateOffset else inferred.freqstr

    params = {
        "max_horizon": horizon,
        "freq": freq,
        "device": args.device,
        "random_state": args.seed,
        "verbose": report.verbose,
    }
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    from sks4 import S4Forecaster

    model = S4Forecaster(**params)
    span = f"{values.index[0]} to {values.index[-1]}" if time_column else f"{len(values)} steps"
    report.status(
        f"training S4Forecaster on {len(values)} observations of {str(column)!r} ({span}"
        f"{', frequency ' + _describe_freq(freq) if freq else ''}), horizon {horizon}"
    )
    start = time.perf_counter()
    with report.training():
        model.fit(values)
    fit_time = time.perf_counter() - start
    median = model.predict(horizon)
    interval = model.predict_interval(horizon, coverage=args.coverage)
    report.status(f"fitted in {fit_time:.1f} s")

    out = pd.DataFrame(
        {"median": median.to_numpy(), "lower": interval["lower"].to_numpy(), "upper": interval["upper"].to_numpy()},
        index=median.index,
    )
    out.index.name = time_column if time_column is not None else "step"
    if isinstance(out.index, pd.DatetimeIndex) and (out.index == out.index.normalize()).all():
        out.index = out.index.strftime("%Y-%m-%d")
    out = out.reset_index()
    level = f"{round(100 * args.coverage, 6):g}%"  # 0.9 -> 90%, 0.999 -> 99.9%, 0.125 -> 12.5%
    _write_table(out, args.output)  # the file first: output to a closed pipe must not lose the forecast
    report.result(f"forecast of {str(column)!r}, {horizon} step(s), {level} interval:")
    report.result(out.to_string(index=False, float_format=lambda v: f"{v:.6g}", max_rows=40))
    report.result(f"wrote {len(out)} forecasts to {_destination(args.output)}")
    return 0


def _holds_numbers(values) -> bool:
    """A numeric column that is not True/False."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _check_header_row(frame, args) -> None:
    """Refuse a file whose header row is data: a date, then numbers only (pandas takes the first row as names)."""
    import pandas as pd

    names = [str(c) for c in frame.columns]
    named = {args.column, args.time_column} & set(names)  # columns the user named exist: the header is one
    if len(names) < 2 or named or pd.api.types.is_datetime64_any_dtype(frame[frame.columns[0]]):
        return
    numbers = pd.to_numeric(pd.Series(names[1:]), errors="coerce")
    if numbers.notna().all() and _looks_like_dates(pd.Series(names[:1])):
        raise UserError(
            f"{args.file} seems to have no header row: its first row ({','.join(names)}) holds a date and numbers; "
            "add a header row naming the columns, e.g. date,value"
        )


def _evenly_spaced_integers(values) -> bool:
    """Whether a column holds increasing integers with one step (years, period numbers), at least 3 of them."""
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values) or len(values) < 3:
        return False
    steps = np.unique(np.diff(values.to_numpy().astype(np.int64)))  # signed: unsigned differences wrap
    return len(steps) == 1 and steps[0] > 0


def _time_column(frame, args) -> str | None:
    """The name of the time column, or None."""
    if args.time_column is not None:
        if args.time_column.lower() == "none" and "none" not in map(str, frame.columns):
            return None
        _require_column(frame, args.time_column, args.file, "--time-column")
        return args.time_column
    first = frame.columns[0]
    if first == args.column or len(frame.columns) < 2:
        return None
    # A first column of text is the time column when most of it reads as dates; the rest must
    # then read too (_time_index says which row does not), instead of the whole column being
    # dropped in silence for one odd date.
    return first if _reads_as_dates(frame[first]) else None


def _date_dtype(values) -> bool | None:
    """True for a datetime column, False for numbers or booleans, None for text (to be parsed)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    return None


def _looks_like_dates(values, sample: int = 50) -> bool:
    """Whether a column other than the first holds dates: its first ``sample`` values all parse in the
    format of the first one (a cheap, strict check for a note; ``10-20`` or ``1st`` do not pass)."""
    import pandas as pd

    known = _date_dtype(values)
    if known is not None:
        return known
    head = values.dropna().astype(str).iloc[:sample]
    if head.empty:
        return False
    fmt = pd.tseries.api.guess_datetime_format(head.iloc[0])
    if fmt is None or not any(code in fmt for code in ("%Y", "%y")):
        return False  # a year, at least
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(pd.to_datetime(head, errors="coerce", format=fmt).notna().all())


def _describe_freq(freq) -> str:
    """``"MS"`` as it is; ``DateOffset(months=1)`` as ``"1 month"``, ``DateOffset(months=3)`` as ``"3 months"``."""
    if isinstance(freq, str):
        return freq
    parts = [f"{count} {unit[:-1] if count == 1 else unit}" for unit, count in freq.kwds.items()]
    return ", ".join(parts) or str(freq)


def _semicolon_separated(path) -> bool:
    """Whether a ','-read CSV has one header field holding ';': a ';'-separated file (spreadsheets in many locales)."""
    import pandas as pd

    header = pd.read_csv(path, nrows=0).columns
    return len(header) == 1 and ";" in str(header[0])


def _semicolon_decimal(path) -> str:
    """``","`` when a column of a ';'-separated file holds numbers, some written with a decimal comma."""
    import pandas as pd

    sample = pd.read_csv(path, sep=";", dtype=str)
    pattern = r"^\s*[-+]?\d+(?:,\d+)?\s*$"
    for column in sample.columns:
        values = sample[column].dropna()
        if len(values) and values.str.match(pattern).all() and values.str.contains(",").any():
            return ","
    return "."


def _reads_as_dates(values) -> bool:
    """Whether most values of a text (or datetime) column read as dates."""
    import pandas as pd

    known = _date_dtype(values)
    if known is not None:
        return known
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    return bool(parsed.notna().mean() >= 0.5)


# a date written with numbers only, day and month in either order: 3/4/2020, 03.04.20, 03-04-2020 12:00
_NUMERIC_DATE = r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[\sT].*)?$"


def _day_first(values, order: str | None, name: str) -> bool:
    """Whether dates written ``a/b/year`` have the day first: from ``order`` or from the values.

    A first field above 12 can only be a day, a second field above 12 only a
    day; when neither exceeds 12 and the two readings differ, the order must
    be given (``--dayfirst`` / ``--monthfirst``): pandas would read
    ``01/02/2020`` as 2 January in silence.
    """
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return False
    parts = values.astype(str).str.extract(_NUMERIC_DATE)
    if parts.isna().any().any():
        return False  # not (all) written that way (ISO dates, ...): the order does not apply
    first, second = parts[0].astype(int), parts[2].astype(int)
    if order is not None:
        return order == "day"
    if (first > 12).any() and (second <= 12).all():
        return True
    if (second > 12).any() or (first == second).all():
        return False
    example = values.iloc[int(((first != second) & (first <= 12)).to_numpy().argmax())]
    raise UserError(
        f"time column {name!r} has dates such as {example!r} whose day and month can be read either way "
        "(no field exceeds 12): pass --dayfirst (day/month/year) or --monthfirst (month/day/year)"
    )


def _parse_dates(values, dayfirst: bool = False):
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.DatetimeIndex(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": parsed element-wise
        try:
            # utc=True: offsets that change within the column (daylight saving time) are one time line
            return pd.DatetimeIndex(pd.to_datetime(values, errors="raise", utc=True, dayfirst=dayfirst))
        except (ValueError, TypeError):
            # name the first row that does not read like row 1 (the format pandas infers from it)
            fmt = pd.tseries.api.guess_datetime_format(str(values.iloc[0]))
            parsed = pd.to_datetime(values, errors="coerce", format=fmt or "mixed", utc=True)
            bad = values.index[parsed.isna() & values.notna()]
            if len(bad) == 0:
                raise
            position = values.index.get_loc(bad[0])
            raise ValueError(
                f"{values.loc[bad[0]]!r} in data row {position + 1} is not a date in the format of "
                f"{values.iloc[0]!r} in row 1; write every date in one format, e.g. 2020-01-31"
            ) from None


def _time_index(values, name: str, args):
    import numpy as np
    import pandas as pd

    if values.isna().any():
        raise UserError(f"time column {name!r} has {int(values.isna().sum())} empty value(s)")
    if pd.api.types.is_integer_dtype(values):
        return pd.Index(values.to_numpy(), name=name)
    if pd.api.types.is_float_dtype(values) and (values == values.round()).all() and values.abs().max() < 2**53:
        return pd.Index(values.to_numpy().astype(np.int64), name=name)  # 1990.0, 1991.0, ...: whole numbers
    if pd.api.types.is_numeric_dtype(values):
        raise UserError(f"time column {name!r} holds non-integer numbers; use dates or evenly spaced integers")
    try:
        index = _parse_dates(values, _day_first(values, getattr(args, "date_order", None), name))
    except (ValueError, TypeError) as exc:
        raise UserError(f"time column {name!r} does not read as dates: {_one_line(exc)}") from None
    if index.tz is not None:
        from sks4.forecasting import infer_offset

        index = index.tz_convert(None)
        if len(index) >= 3 and infer_offset(index) is None:
            # Daily (or coarser) stamps at local midnight whose UTC offset changes with daylight
            # saving time are irregular in UTC; their local wall-clock times are the regular series.
            if pd.api.types.is_datetime64_any_dtype(values):  # time-zone-aware stamps (Parquet)
                local = pd.DatetimeIndex(values).tz_localize(None)
            else:  # text with UTC offsets: the offsets dropped
                stripped = values.astype(str).str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "", regex=True)
                local = pd.DatetimeIndex(pd.to_datetime(stripped, errors="coerce"))
            if local.notna().all() and infer_offset(local) is not None:
                index = local
    return index.rename(name)


# --------------------------------------------------------------------------- demo
def _run_demo(args, report: _Reporter) -> int:
    import numpy as np

    output = args.output
    if output.exists() and not output.is_dir():
        raise UserError(f"--output {output} exists and is not a folder")
    output.mkdir(parents=True, exist_ok=True)
    name = DEMO_DATASETS[args.dataset]
    total_start = time.perf_counter()
    report.status(f"sks4 demo: device {_device_name(args.device)}, seed {args.seed}, output folder {output}")
    rows: list[dict[str, Any]] = []

    from sks4 import datasets

    loader = {"GunPoint": datasets.load_gunpoint, "ItalyPowerDemand": datasets.load_italy_power_demand}[name]
    X_train, y_train = loader(split="train")
    X_test, y_test = loader(split="test")

    # 1. S4Classifier
    report.status(f"[1/3] S4Classifier on {name}: {len(X_train)} training series, {len(X_test)} test series")
    clf, model_name = _classifier(_with(args, features=False), report)
    accuracy, fit_time, predict_time = _fit_score(clf, X_train, y_train, X_test, y_test, report)
    rows.append(_row("classification", name, model_name, "accuracy", accuracy, REFERENCES[name], fit_time, predict_time))
    report.status(f"      accuracy {accuracy:.4f}, fit {fit_time:.1f} s")

    # 2. S4Features + ridge
    report.status(f"[2/3] S4Features + RidgeClassifierCV on {name}")
    pipe, model_name = _classifier(_with(args, features=True), report)
    accuracy, fit_time, predict_time = _fit_score(pipe, X_train, y_train, X_test, y_test, report)
    rows.append(_row("classification", name, model_name, "accuracy", accuracy, REFERENCES[name], fit_time, predict_time))
    report.status(f"      accuracy {accuracy:.4f}, fit {fit_time:.1f} s")

    # 3. S4Forecaster on the airline series
    from sks4 import S4Forecaster
    from sks4.forecasting import smape

    y = datasets.load_airline()
    y_fit, y_true = y.iloc[:AIRLINE_TRAIN], y.iloc[AIRLINE_TRAIN:]
    horizon = len(y_true)
    report.status(
        f"[3/3] S4Forecaster on airline: train {y_fit.index[0]} to {y_fit.index[-1]}, forecast the last {horizon} months"
    )
    params = {"max_horizon": horizon, "device": args.device, "random_state": args.seed, "verbose": report.verbose}
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    forecaster = S4Forecaster(**params)
    start = time.perf_counter()
    with report.training():
        forecaster.fit(y_fit)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = forecaster.predict(horizon)
    intervals = forecaster.predict_interval(horizon, coverage=0.9)
    predict_time = time.perf_counter() - start
    error = smape(y_true.to_numpy(), y_pred.to_numpy())
    inside = (y_true.to_numpy() >= intervals["lower"].to_numpy()) & (y_true.to_numpy() <= intervals["upper"].to_numpy())
    dataset = f"airline, last {horizon} months"
    rows.append(_row("forecasting", dataset, "S4Forecaster", "sMAPE", error, REFERENCES["airline"], fit_time, predict_time))
    rows.append(_row("forecasting", dataset, "S4Forecaster", "90% interval coverage", float(inside.mean()),
                     REFERENCES["airline-coverage"], None, None))
    start = time.perf_counter()
    naive = np.resize(y_fit.to_numpy()[-AIRLINE_PERIOD:], horizon)  # the last year, repeated
    naive_time = time.perf_counter() - start
    rows.append(_row("forecasting", dataset, "seasonal naive", "sMAPE", smape(y_true.to_numpy(), naive),
                     REFERENCES["airline-naive"], 0.0, naive_time))
    report.status(f"      sMAPE {error:.4f}, 90% coverage {inside.mean():.2f}, fit {fit_time:.1f} s")

    # results and figures
    total = time.perf_counter() - total_start
    table = _format_table(rows)
    report.result()
    report.result(table)
    report.result(f"\ntotal time {total:.0f} s on {_device_name(args.device)}")
    written = _write_results(rows, output, table, args, total)
    written += _write_figures(output, name, X_test, y_test, y_fit, y_pred, intervals, y_true, error, report)
    report.result("wrote " + ", ".join(str(p) for p in written))
    return 0


def _with(args, **changes):
    copy = argparse.Namespace(**vars(args))
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def _fit_score(model, X_train, y_train, X_test, y_test, report: _Reporter):
    import numpy as np

    start = time.perf_counter()
    with report.training():
        model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    predictions = model.predict(X_test)
    predict_time = time.perf_counter() - start
    return float(np.mean(predictions == y_test)), fit_time, predict_time


def _row(task, dataset, model, metric, value, reference, fit_time, predict_time) -> dict[str, Any]:
    return {
        "task": task,
        "dataset": dataset,
        "model": model,
        "metric": metric,
        "value": value,
        "published reference": reference,
        "fit time (s)": fit_time,
        "predict time (s)": predict_time,
    }


def _cells(row: dict[str, Any]) -> list[str]:
    def seconds(t):
        return "" if t is None else (f"{t:.2f}" if t < 10 else f"{t:.1f}")

    return [
        row["task"], row["dataset"], row["model"], row["metric"], f"{row['value']:.4f}",
        row["published reference"], seconds(row["fit time (s)"]), seconds(row["predict time (s)"]),
    ]


def _format_table(rows: list[dict[str, Any]]) -> str:
    header = list(rows[0])
    body = [_cells(r) for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(header)]
    right = {4, 6, 7}  # numbers

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(b) for b in body)])


def _write_results(rows, output: Path, table: str, args, total: float) -> list[Path]:
    import pandas as pd

    from sks4 import __version__

    csv_path = output / "results.csv"
    pd.DataFrame(rows).to_csv(csv_path, index=False)
    header = list(rows[0])
    lines = [
        "# sks4 demo results",
        "",
        f"sks4 {__version__}, device {_device_name(args.device)}, seed {args.seed}, total time {total:.0f} s.",
        "Published references are test results on the same splits (see `sks4.datasets` descriptions).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
        *("| " + " | ".join(_cells(r)) + " |" for r in rows),
        "",
    ]
    md_path = output / "results.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return [md_path, csv_path]


def _write_figures(
    output: Path, name: str, X_test, y_test, y_fit, y_pred, intervals, y_true, error: float, report: _Reporter
) -> list[Path]:
    try:
        import matplotlib
    except ImportError:
        report.result('figures skipped: matplotlib is not installed (pip install "sks4[plot]")')
        return []
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    from sks4 import S4Features, plotting

    written = []
    fig = plotting.plot_reconstruction(S4Features(measure="legt", n_coefs=16, window=None), X_test, index=0)
    fig.suptitle(f"{name} test series 0 (class {y_test[0]}) and what a 16-coefficient LegT memory keeps of it")
    path = output / "reconstruction.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    plot_forecast = getattr(plotting, "plot_forecast", None)
    if plot_forecast is None:
        report.result("forecast figure skipped: this version of sks4.plotting has no plot_forecast")
        return written
    drawn = plot_forecast(y_fit, y_pred, intervals, y_test=y_true)
    fig = drawn if hasattr(drawn, "savefig") else drawn.figure
    fig.axes[0].set_title(f"airline: S4Forecaster median and 90% interval, last {len(y_true)} months held out "
                          f"(sMAPE {error:.3f})")
    path = output / "forecast.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
