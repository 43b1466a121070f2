"""Blind test corpus: `python -m synth.blind.generate --out DIR --n N --seed S`.

Writes N files under DIR/input/ (crawl-like folders) and DIR/truth.json
("xxgk-truth/1").  Written from the report format alone, independently of
the project's parser and of synth/render.py, synth/model.py.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from pathlib import Path

from .report import FORMAT_OF, LAYOUTS, make_report, pick_agency, truth_entry

TEXT_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
EXT = {"text": [".txt"], "markdown": [".md", ".md", ".md.txt"], "html": [".html", ".htm", ".shtml"],
       "docx": [".docx"], "pdf": [".pdf"]}


def encode_text(text: str, enc: str, rng: random.Random) -> tuple[bytes, str, bool]:
    if enc == "utf-8":
        return text.encode("utf-8"), "utf-8", False
    if enc == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8", True
    if enc == "gb18030":
        return text.replace("\xa0", " ").encode("gb18030"), "gb18030", False
    if rng.random() < 0.7:
        return b"\xff\xfe" + text.encode("utf-16-le"), "utf-16", True
    return b"\xfe\xff" + text.encode("utf-16-be"), "utf-16", True


def render(rep, rng: random.Random, enc: str | None) -> tuple[bytes, str | None, bool, dict]:
    fmt = FORMAT_OF[rep.layout]
    if fmt in ("text", "markdown"):
        from .render_text import render_text
        text, o = render_text(rep, rng)
        data, e, bom = encode_text(text, enc, rng)
        return data, e, bom, o
    if fmt == "html":
        from .render_rich import render_html
        page, o = render_html(rep, rng)
        meta = {"utf-8": '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
                "utf-8-sig": '<meta charset="utf-8">',
                "gb18030": '<meta http-equiv="Content-Type" content="text/html; charset=%s">'
                           % rng.choice(["gb2312", "gbk", "GB18030"]),
                "utf-16": ""}[enc]
        page = page.replace("{META}", meta)
        if rng.random() < 0.3:
            page = page.replace("\n", "\r\n")
        data, e, bom = encode_text(page, enc, rng)
        return data, e, bom, o
    if fmt == "docx":
        from .render_rich import render_docx
        data, o = render_docx(rep, rng)
        return data, None, False, o
    from .render_rich import render_pdf
    data, o = render_pdf(rep, rng)
    return data, None, False, o


def make_path(rep, rng: random.Random, taken: set) -> str:
    ag = rep.agency
    fmt = FORMAT_OF[rep.layout]
    ext = rng.choice(EXT[fmt])
    county = ag.county or "市本级"
    s = rng.random()
    if s < 0.4:
        p = f"{ag.province}/{ag.city}/{county}/{ag.name}/{ag.name}{rep.year}年政府信息公开工作年度报告{ext}"
    elif s < 0.75:
        p = (f"{ag.province}/{ag.city}/{county}/{rep.year}/"
             f"t{rep.year + 1}01{rng.randint(10, 28)}_{rng.randint(1000000, 9999999)}{ext}")
    else:
        p = f"{ag.province}/{ag.city}/{ag.name}/{rep.year}年度政府信息公开年报{ext}"
    base, k = p, 2
    while p in taken:
        p = base[: -len(ext)] + f"_{k}{ext}"
        k += 1
    taken.add(p)
    return p


NOTICE = """关于做好{y}年政府信息公开工作年度报告编制发布工作的通知

各镇人民政府、街道办事处，县各有关部门：

根据《中华人民共和国政府信息公开条例》规定，现就做好{y}年政府信息公开工作年度报告编制发布工作通知如下：

一、各单位要严格按照《中华人民共和国政府信息公开工作年度报告格式》要求，于{y1}年1月31日前完成年度报告的编制和发布工作。

二、年度报告应包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等内容。

三、各单位要认真核对数据，确保年度报告中各项数据准确无误、逻辑一致。

{site}办公室
{y1}年1月{d}日
"""


def not_report(kind: str, rng: random.Random, year: int, site: str) -> tuple[bytes, str, str | None, str]:
    if kind == "empty":
        return b"", ".txt", None, "empty"
    if kind == "binary":
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(2000, 9000)))
        return data, rng.choice([".txt", ".bin", ".dat"]), None, "binary"
    text = NOTICE.format(y=year, y1=year + 1, d=rng.randint(3, 20), site=site)
    if rng.random() < 0.5:
        return text.encode("utf-8"), ".txt", "utf-8", "not_a_report"
    page = (f"<html><head><meta charset=\"utf-8\"><title>关于做好{year}年政府信息公开工作年度报告编制发布工作的通知 - {site}</title>"
            f"</head><body><div class=\"position\">当前位置：首页 &gt; 通知公告</div><div class=\"article\">"
            + "".join(f"<p>{l}</p>" for l in text.splitlines() if l) + "</div></body></html>")
    return page.encode("utf-8"), ".html", "utf-8", "not_a_report"


def generate(out: Path, n: int, seed: int, layouts: list[str] | None = None) -> dict:
    """A blind corpus of n files; layouts: only these (default: every one),
    for a corpus aimed at one layout's weak spots."""
    rng = random.Random(seed)
    out = Path(out)
    inp = out / "input"
    if inp.exists():
        shutil.rmtree(inp)
    inp.mkdir(parents=True)
    n_dup = 3 if n >= 60 else (2 if n >= 10 else 0)
    n_not = max(3, round(n * 0.03)) if n >= 10 else 0
    n_rep = n - n_dup - n_not
    lay_seq: list = []
    while len(lay_seq) < n_rep:
        block = list(layouts or LAYOUTS)
        rng.shuffle(block)
        lay_seq += block
    lay_seq = lay_seq[:n_rep]
    invalid_idx = set(rng.sample(range(n_rep), round(n_rep * 0.15)))
    enc_counter = {"text": 0, "markdown": 0, "html": 0}
    enc_offset = {f: rng.randrange(4) for f in enc_counter}
    used = set()
    taken: set = set()
    files: dict = {}
    written: list = []
    for i, layout in enumerate(lay_seq):
        rr = random.Random(seed * 1_000_003 + i)
        template = "2019" if i % 2 == 0 else "2021"
        for _ in range(100):
            ag = pick_agency(rr)
            year = rr.choice([2019, 2020]) if template == "2019" else rr.choice([2021, 2022, 2023, 2024, 2025])
            if (ag.name, year) not in used:
                break
        used.add((ag.name, year))
        rep = make_report(rr, ag, year, layout, i in invalid_idx,
                          variants=random.Random(f"variants-{seed}-{i}"))
        fmt = FORMAT_OF[layout]
        enc = None
        if fmt in enc_counter:
            enc = TEXT_ENCODINGS[(enc_counter[fmt] + enc_offset[fmt]) % 4]
            enc_counter[fmt] += 1
        data, e, bom, opts = render(rep, rr, enc)
        path = make_path(rep, rr, taken)
        (inp / path).parent.mkdir(parents=True, exist_ok=True)
        (inp / path).write_bytes(data)
        entry = truth_entry(rep, e, bom)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["bytes"] = len(data)
        entry["render"] = {k: v for k, v in opts.items() if isinstance(v, (str, int, float, bool))}
        files[path] = entry
        written.append(path)
    # not reports
    kinds = ["empty", "binary", "notice"]
    for j in range(n_not):
        rr = random.Random(seed * 7_000_001 + j)
        ag = pick_agency(rr)
        data, ext, e, reason = not_report(kinds[j % 3], rr, rr.randint(2019, 2025), ag.site)
        county = ag.county or "市本级"
        path = f"{ag.province}/{ag.city}/{county}/misc/{reason}_{j:03d}{ext}"
        while path in taken:
            path = path.replace(ext, "_x" + ext)
        taken.add(path)
        (inp / path).parent.mkdir(parents=True, exist_ok=True)
        (inp / path).write_bytes(data)
        files[path] = {"kind": "not_report", "status": "rejected", "reason": reason, "template": None, "year": None,
                       "agency": None, "agency_alternatives": [], "encoding": e, "layout": None,
                       "format": "html" if ext == ".html" else "text", "tables_present": [],
                       "requests": None, "review_litigation": None, "active_disclosure": None,
                       "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    # duplicates: byte-identical copies; the path first by code point holds the report
    originals = rng.sample([p for p in written if files[p]["status"] == "ok"], n_dup) if n_dup else []
    for j, orig in enumerate(originals):
        first = orig.split("/")[0]
        # half of the copies land on a path sorting before the original
        if j % 2 == 0:
            copy = "0_镜像/" + orig
        else:
            copy = orig.rsplit("/", 1)[0] + "/副本_" + orig.rsplit("/", 1)[1]
        taken.add(copy)
        (inp / copy).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(inp / orig, inp / copy)
        holder, dup = sorted([orig, copy])
        entry = files.pop(orig)
        files[holder] = entry
        files[dup] = {"kind": "duplicate", "status": "rejected", "reason": "duplicate", "duplicate_of": holder,
                      "template": None, "year": None, "agency": None, "agency_alternatives": [],
                      "encoding": entry["encoding"], "layout": entry["layout"], "format": entry["format"],
                      "tables_present": [], "requests": None, "review_litigation": None,
                      "active_disclosure": None, "sha256": entry["sha256"], "bytes": entry["bytes"]}
    truth = {"format": "xxgk-truth/1", "generator": "synth.blind", "seed": seed, "input_dir": "input",
             "note": "Blind corpus written from the report format alone; null = printed blank; money in 万元.",
             "files": dict(sorted(files.items()))}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synth.blind.generate")
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layouts", default=None,
                    help=f"comma-separated, a subset of {','.join(LAYOUTS)} (default: all)")
    a = ap.parse_args(argv)
    layouts = a.layouts.split(",") if a.layouts else None
    if layouts and not set(layouts) <= set(LAYOUTS):
        ap.error(f"unknown layouts: {', '.join(sorted(set(layouts) - set(LAYOUTS)))}")
    truth = generate(Path(a.out), a.n, a.seed, layouts)
    from collections import Counter
    fs = truth["files"].values()
    print(f"wrote {len(truth['files'])} files to {a.out}/input")
    print("status:", dict(Counter(v["status"] for v in fs)))
    print("layout:", dict(Counter(v["layout"] for v in fs if v["kind"] == "report")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
