"""forcecheck's version, as reports, SARIF and the policy cache's keys name it: kept apart from
the package's front door (`forcecheck/__init__.py`), which brings in the whole pipeline when its
names are used, so the stages can read it without importing upwards."""

__version__ = "0.1.0"
