"""Colony: a self-hostable finance API."""

__version__ = "0.1.0"
