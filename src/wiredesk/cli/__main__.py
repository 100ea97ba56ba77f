"""`python -m wiredesk.cli ...`, the same as the `wiredesk` command."""

import sys

from wiredesk.cli.main import main

sys.exit(main())
