"""The error hierarchy. Every message names the bad value, what was expected and the fix."""
from __future__ import annotations

__all__ = [
    "PolicyKBError",
    "ConfigError",
    "IngestError",
    "UnsupportedFileError",
    "FileTooLargeError",
    "EncodingError",
    "EmptyDocumentError",
    "CorruptFileError",
    "IndexMismatchError",
    "StoreUnavailableError",
    "NotFoundError",
    "LLMError",
]


class PolicyKBError(Exception):
    """Base of every error policykb reports to a user (one line, no traceback)."""

    exit_code = 1


class ConfigError(PolicyKBError):
    """A setting or argument has a value policykb cannot use."""

    exit_code = 2


class IngestError(PolicyKBError):
    """A file could not be turned into a document."""


class UnsupportedFileError(IngestError):
    """The file type is not one policykb reads."""


class FileTooLargeError(IngestError):
    """The file (or its unpacked content) exceeds the configured limit."""


class EncodingError(IngestError):
    """The text encoding could not be determined with confidence."""


class EmptyDocumentError(IngestError):
    """The file holds no text."""


class CorruptFileError(IngestError):
    """The file is damaged or not what its extension says."""


class IndexMismatchError(PolicyKBError):
    """The KB on disk was built with another embedder or an incompatible version."""


class StoreUnavailableError(PolicyKBError):
    """The vector store (e.g. a Chroma server) cannot be reached."""


class NotFoundError(PolicyKBError):
    """A document or clause id does not exist in the KB."""


class LLMError(PolicyKBError):
    """The optional LLM endpoint failed, timed out or answered unusably."""
