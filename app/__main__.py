"""`python -m app` starts the desktop app, like the `xbarscope` command."""
import sys

from app.main import main

sys.exit(main())
