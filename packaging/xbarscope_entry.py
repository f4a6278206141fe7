"""Entry script of the PyInstaller bundle: `dist/XbarScope/XbarScope` runs `app.main.main`."""
import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
