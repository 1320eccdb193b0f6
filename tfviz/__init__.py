"""tfviz: see how Transformers work."""

__version__ = "0.1.0"
