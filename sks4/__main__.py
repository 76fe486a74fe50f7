"""``python -m sks4``: the ``sks4`` command line (see :mod:`sks4.cli`)."""

import sys

from sks4.cli import main

if __name__ == "__main__":
    sys.exit(main())
