"""`python -m drift` (what `make drift` runs): see drift/run.py."""

import sys

from drift.run import main

sys.exit(main())
