"""Runtime assets of tfviz (icons, translations, shipped weights, sample texts).

This top-level folder is installed as the package ``tfviz.resources`` (see
``[tool.setuptools.package-dir]`` in pyproject.toml). Read files through
:func:`tfviz.core.assets.asset`, never relative to the working directory.
"""
