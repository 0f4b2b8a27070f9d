"""Zhujian (住建): the records, figures and reports of a county housing bureau."""

__version__ = "0.1.0"
