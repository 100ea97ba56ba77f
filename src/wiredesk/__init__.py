"""wiredesk: a self-hosted wire-news desk."""

__version__ = "0.1.0"
