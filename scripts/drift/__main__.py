"""`python -m scripts.drift` (what `make drift` runs): see scripts/drift/run.py."""

import sys

from scripts.drift.run import main

sys.exit(main())
