"""roadmap: governing what an open-source umbrella project's paid staff work on."""

__version__ = "0.1.0"
