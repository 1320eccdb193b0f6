"""The Qt shell of tfviz: thin widgets, workers and plots over tfviz.core."""

import os

# One binding: make sure pyqtgraph (and anything using qtpy) picks PySide6.
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
