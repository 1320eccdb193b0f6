"""Packaging glue that pyproject.toml cannot express: the top-level ``resources/`` folder is
installed as the package ``tfviz.resources`` (so assets load with importlib.resources)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tfviz", "tfviz.*"]) + ["tfviz.resources"],
    package_dir={"tfviz.resources": "resources"},
)
