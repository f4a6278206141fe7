"""Only the package list; everything else is in pyproject.toml.

`resources/` is shipped as the package `xbarscope_resources` (package-dir in pyproject.toml);
`packages.find` cannot discover a package that exists only through that mapping, so the list
is computed here: engine and app with their subpackages, and resources/ with its data folders.
"""
from setuptools import find_namespace_packages, setup

code = find_namespace_packages(include=["engine", "engine.*", "app", "app.*"], exclude=["*__pycache__*"])
resource_dirs = find_namespace_packages(where="resources", exclude=["*__pycache__*"])
setup(packages=[*code, "xbarscope_resources", *(f"xbarscope_resources.{d}" for d in resource_dirs)])
