"""Developer scripts; the Python ones run as ``python -m scripts.<name>``."""
