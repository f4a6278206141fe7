"""XbarScope's desktop app (PySide6 + pyqtgraph) around the Qt-free `engine` package."""
