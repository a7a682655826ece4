"""nhi-evidence: audit evidence about AI coding assistants as non-human identities."""

__version__ = "0.1.0"
