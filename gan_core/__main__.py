"""`python -m gan_core ...`: see cli.py."""

import sys

from gan_core.cli import main

sys.exit(main())
