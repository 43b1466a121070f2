"""Input files -> ParsedReport: discovery, reading, decoding, extracting.

Every failure becomes a reason on the file's record, never an exception that
stops the batch: a nightly run must finish whatever the directory holds.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from .decode import NotText, decode_report
from .document import Document, DocumentError
from .report import NotAReport, extract_document, text_document

MAX_BYTES = 100 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Microsoft's compound files: .doc, .xls, encrypted .docx  # a report is ~10 KB; anything this big is not one


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str          # absolute path, as the OS spells it (may hold surrogates)
    rel: str           # path relative to the input root, '/'-separated, valid UTF-8
    size: int
    mtime_ns: int


def printable_path(path: str) -> str:
    """A file name that is valid UTF-8 even when the OS name is not."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(root: str) -> list[FileEntry]:
    """Every file under root, recursively, sorted by relative path.  Symlinks
    to files are listed (reading them says if they are broken); symlinked
    directories are not followed, so a symlink loop cannot trap the walk."""
    entries: list[FileEntry] = []
    pending = [(os.fspath(root), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as it:
                children = list(it)
        except OSError:
            continue
        for child in children:
            if child.name.startswith(".xxgk"):
                continue
            rel = prefix + child.name
            # is_dir(follow_symlinks=False): a symlinked directory is listed
            # as a file, whose record says it was not followed
            if child.is_dir(follow_symlinks=False):
                pending.append((child.path, rel + "/"))
                continue
            try:
                st = child.stat()
                size, mtime = st.st_size, st.st_mtime_ns
            except OSError:
                size, mtime = -1, -1
            entries.append(FileEntry(child.path, printable_path(rel), size, mtime))
    entries.sort(key=lambda e: e.rel)
    return entries


class Unreadable(OSError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def read_bytes(entry: FileEntry) -> bytes:
    """The file's bytes, read so that a file rewritten mid-read is noticed:
    its size and mtime, taken on the open file before and after reading,
    must agree with each other and with what was read."""
    for _ in range(3):
        try:
            f = open(entry.path, "rb", buffering=0)
        except IsADirectoryError:
            raise Unreadable("symlink to a directory, not followed", "symlinked_directory") from None
        with f:
            before = os.fstat(f.fileno())
            if before.st_size >= MAX_BYTES:
                raise Unreadable(f"file too large for a report ({before.st_size} bytes)", "too_large")
            data = f.read(before.st_size + 1)     # one byte more shows a file that grew
            after = os.fstat(f.fileno())
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) == (len(data), after.st_mtime_ns):
            return data
    raise Unreadable("file changed while being read", "changed_while_read")


def _os_reason(exc: OSError) -> tuple[str, str]:
    """(the sentence, the error code) of a file that could not be read."""
    if isinstance(exc, Unreadable):
        return str(exc), exc.code
    if isinstance(exc, FileNotFoundError):
        return "file not found (broken symlink or removed during the run)", "broken_symlink"
    if isinstance(exc, PermissionError):
        return "permission denied", "permission_denied"
    if exc.errno == 40:  # ELOOP
        return "symlink loop", "symlink_loop"
    return f"unreadable: {exc.strerror or exc}", "unreadable"


@dataclass(slots=True)
class ParsedReport:
    """What extraction made of one input file (plain data: crosses processes)."""
    report_id: str | None           # sha256 of the raw bytes; None if unreadable
    source_path: str
    size: int
    mtime_ns: int
    encoding: str | None = None
    error: str | None = None        # why the file was rejected
    extraction: object | None = None  # extract.report.ReportExtraction
    error_code: str | None = None   # the reason as a stable code (docs/contract.md)
    format: str | None = None       # text, html, markdown, docx, pdf; None: no document


def parse_file(entry: FileEntry) -> ParsedReport:
    """Read, decode and extract one file; every failure is recorded, not raised."""
    record = ParsedReport(None, entry.rel, entry.size, entry.mtime_ns)
    try:
        raw = read_bytes(entry)
    except OSError as exc:
        record.error, record.error_code = _os_reason(exc)
        return record
    record.report_id = hashlib.sha256(raw).hexdigest()
    record.size = len(raw)
    try:
        document = read_document(raw)
    except NotText as exc:
        record.error, record.error_code = str(exc), exc.code
        return record
    except DocumentError as exc:
        record.error, record.error_code, record.format = str(exc), exc.code, exc.format
        return record
    except Exception as exc:  # a reader bug must cost one file, not the run
        record.error, record.error_code = f"reading failed: {type(exc).__name__}: {exc}", "internal_error"
        return record
    record.encoding, record.format = document.encoding, document.format
    try:
        record.extraction = extract_document(document)
    except NotAReport as exc:
        record.error, record.error_code = str(exc), exc.code
    except Exception as exc:  # a parser bug must cost one file, not the run
        record.error, record.error_code = f"extraction failed: {type(exc).__name__}: {exc}", "internal_error"
    return record


def _as_format(reader, raw: bytes, format: str) -> Document:
    try:
        return reader(raw)
    except DocumentError as exc:
        exc.format = exc.format or format
        raise


def read_document(raw: bytes) -> Document:
    """Any file's bytes -> a Document, by what the bytes are (never by the
    file's name): PDF, DOCX, a legacy Word file (rejected), or text, whose
    encoding is detected and whose HTML or Markdown is read as such."""
    if raw.startswith(b"%PDF-") or raw[:1024].lstrip().startswith(b"%PDF-"):
        from .pdf import read_pdf       # imported on first use: most crawls hold few PDFs
        return _as_format(read_pdf, raw, "pdf")
    if raw.startswith(b"PK\x03\x04") and b"word/" in raw:
        from .docx import read_docx     # a ZIP naming a Word part; other archives are binary
        return _as_format(read_docx, raw, "docx")
    if raw.startswith(_OLE_MAGIC):
        from .docx import LEGACY_DOC_MESSAGE, sniff_encrypted_docx, sniff_legacy_doc
        if sniff_encrypted_docx(raw):
            raise DocumentError("encrypted", "encrypted Word document (password protected)", "docx")
        if sniff_legacy_doc(raw):
            raise DocumentError("legacy_doc", LEGACY_DOC_MESSAGE, "docx")
    decoded = decode_report(raw)
    document = text_document(decoded.text)
    document.encoding = decoded.encoding
    return document


def parse_files(entries: list[FileEntry]) -> list[ParsedReport]:
    return [parse_file(e) for e in entries]
