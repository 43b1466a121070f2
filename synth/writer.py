"""Write a corpus: N files across templates, layouts, noise and encodings,
plus non-reports, and truth.json with every expected value and status."""
from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

from .documents import BINARY_LAYOUTS, DOCUMENT_LAYOUTS, render_document
from .model import REGIONS, Truth, make_truth, region_names
from .render import LAYOUTS, render_report

ALL_LAYOUTS = LAYOUTS + DOCUMENT_LAYOUTS
# The share of reports written in each document layout when the layouts
# include it (the text layouts share the rest evenly): DOCX and PDF are a
# quarter of a default corpus, the portal page a twelfth.
DOCUMENT_SHARES = {"docx": 0.11, "pdf": 0.14, "portal": 0.08}
EXTENSIONS = {"html": "html", "portal": "html", "docx": "docx", "pdf": "pdf"}

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16-le-bom", "utf-16-be-bom")
REPORTED = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030", "gbk": "gb18030",
            "utf-16-le-bom": "utf-16", "utf-16-be-bom": "utf-16"}
NON_REPORTS = ("empty", "binary_png", "binary_zip", "prose", "truncated_before_tables")


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return "\ufeff".encode("utf-8") + text.encode("utf-8")
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    if encoding == "gbk":
        # GBK has no NBSP; CMSs exporting GBK print an ideographic space.
        return text.replace("\u00a0", "\u3000").encode("gbk", errors="strict")
    return text.encode(encoding)


def line_endings(text: str, style: str) -> str:
    return {"lf": text, "crlf": text.replace("\n", "\r\n"), "cr": text.replace("\n", "\r")}[style]


def truth_record(t: Truth) -> dict:
    return {
        "kind": "report", "status": t.status, "template": t.template, "year": t.year, "agency": t.agency,
        "agency_key": t.agency_key, "province": t.province, "city": t.city, "county": t.county,
        "error_kind": t.error, "expected_failures": sorted(t.expected_failures),
        "requests": t.requests, "review_litigation": t.review,
        "active_disclosure": {f"{a}|{i}": v for (a, i), v in t.active.items()},
    }


def _non_report(kind: str, rng: random.Random) -> tuple[bytes, dict]:
    if kind == "empty":
        return b"", {"kind": kind, "status": "rejected", "error_contains": "empty"}
    if kind == "binary_png":
        data = b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(2048))
        return data, {"kind": kind, "status": "rejected", "error_contains": "binary"}
    if kind == "binary_zip":
        data = b"PK\x03\x04" + zlib.compress(bytes(rng.getrandbits(8) for _ in range(2048)))
        return data, {"kind": kind, "status": "rejected", "error_contains": "binary"}
    if kind == "prose":
        text = "关于开展春季植树活动的通知\n\n各单位：\n为改善生态环境，定于3月12日组织义务植树活动，请各单位按时参加。\n"
        return text.encode("utf-8"), {"kind": kind, "status": "rejected", "error_contains": "not a government"}
    t = make_truth(rng, error_rate=0)
    text = render_report(t, rng.choice(["pipe", "tabcell", "tabrow"]), rng, truncate="before_tables")
    return text.encode("utf-8"), {"kind": kind, "status": "rejected", "error_contains": "no disclosure tables"}


def _pick_layout(rng: random.Random, layouts) -> str:
    documents = [l for l in layouts if l in DOCUMENT_SHARES]
    texts = [l for l in layouts if l not in DOCUMENT_SHARES]
    if not documents:
        return rng.choice(texts)        # the draw a text-only corpus always made
    weights = [DOCUMENT_SHARES[l] for l in documents]
    if texts:
        rest = max(0.0, 1.0 - sum(weights))
        weights += [rest / len(texts)] * len(texts)
    return rng.choices(documents + texts, weights)[0]


def _document_file(t: Truth, layout: str, rng: random.Random) -> tuple[bytes, dict]:
    """A report in a document layout: its bytes and its truth record."""
    record = truth_record(t)
    if layout in BINARY_LAYOUTS:
        record.update(layout=layout, encoding=None, line_endings=None)
        return render_document(t, layout, rng), record
    encoding = rng.choice(["utf-8", "utf-8", "gbk"])
    text = render_document(t, layout, rng, charset="gbk" if encoding == "gbk" else "utf-8")
    record.update(layout=layout, encoding=REPORTED[encoding], line_endings=None)   # the page chooses its own
    return encode(text, encoding), record


def write_corpus(out: str | Path, n: int, seed: int = 0, error_rate: float = 0.1,
                 non_report_rate: float = 0.03, layouts=ALL_LAYOUTS, encodings=ENCODINGS,
                 conflict_rate: float = 0.03) -> dict:
    """Write n files under out/ (in folders of their body's region and year,
    as a crawl leaves them: 江苏省/淮安市/淮阴区/2020/report_000001.txt)
    and out/truth.json; return the truth.  layouts: the text layouts of
    synth.render and the document layouts of synth.documents (DOCX and PDF
    written as bytes, with no encoding; the portal page as text in UTF-8
    or GBK); a text-only list writes the text corpus alone.  A fraction
    conflict_rate of the reports is filed under another province's
    folders: their truth has no region (the report and its path
    disagree), only the key."""
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(n):
        if rng.random() < non_report_rate:
            kind = rng.choice(NON_REPORTS)
            data, record = _non_report(kind, rng)
            sub = f"{_folders(rng.choice(REGIONS))}/{rng.randint(2019, 2024)}"
            rel = f"{sub}/other_{i:06d}.{'png' if kind == 'binary_png' else 'zip' if kind == 'binary_zip' else 'txt'}"
            record.update(layout=None, encoding=None)
        else:
            t = make_truth(rng, error_rate=error_rate)
            layout = _pick_layout(rng, layouts)
            if layout in DOCUMENT_LAYOUTS:
                data, record = _document_file(t, layout, rng)
                region = (t.province, t.city, t.county)
                if rng.random() < conflict_rate:
                    region = rng.choice([r for r in REGIONS if r[0] != t.province])
                    record.update(province=None, city=None, county=None, path_conflict=True)
                rel = f"{_folders(region)}/{t.year}/report_{i:06d}.{EXTENSIONS[layout]}"
                path = out / "reports" / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                files[rel] = record
                continue
            text = render_report(t, layout, rng)
            ending = rng.choice(["lf", "lf", "crlf", "cr"]) if layout != "html" else "lf"
            if layout == "wordtext":
                ending = "crlf"
            encoding = rng.choice(encodings)
            if layout == "html" and encoding.startswith("gb"):
                text = text.replace('charset="utf-8"', 'charset="gbk"')
            data = encode(line_endings(text, ending), encoding)
            record = truth_record(t)
            record.update(layout=layout, encoding=REPORTED[encoding], line_endings=ending)
            region = (t.province, t.city, t.county)
            if rng.random() < conflict_rate:
                region = rng.choice([r for r in REGIONS if r[0] != t.province])
                record.update(province=None, city=None, county=None, path_conflict=True)
            rel = f"{_folders(region)}/{t.year}/report_{i:06d}.{'html' if layout == 'html' else 'txt'}"
        path = out / "reports" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[rel] = record
    truth = {"seed": seed, "n": n, "files": files}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


def _folders(region: tuple) -> str:
    """A region's folders: 江苏省/淮安市/淮阴区, 北京市/东城区, 江苏省/淮安市."""
    return "/".join(region_names(*region))
