"""``python -m topics``: the same as the ``topics`` command."""

import sys

from .cli import main

sys.exit(main())
