"""The Qt-free core of tfviz: numpy and torch only.

Nothing under ``tfviz.core`` may import Qt (``tests/test_architecture.py`` enforces it).
Long jobs are generators of small frozen records, so the CLI, the tests and the GUI
drive the same code.
"""
