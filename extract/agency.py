"""Whether a piece of text is a body's name, and the name without what
surrounds it: shared by the readers (a line kept beside a title) and the
report's metadata."""
from __future__ import annotations

import re

from .patterns import CN_NUMERAL

# What may surround a name without being part of it: brackets, quotes, a
# heading mark, a crawler's or a form's label, a leading year or numbering.
_AGENCY_LABEL_RE = re.compile(r"^(?:标题|题目)[:：]")
# A page's or a crawler's metadata line names the site or the publisher,
# not necessarily the body that reports: never a name.
METADATA_LINE_RE = re.compile(r"^(?:发布机构|发文机关|来源|信息来源|主办|主办单位|发布日期|索引号|分类|文号)\s*[:：]")
_AGENCY_EDGE_RE = re.compile(r"^[\s\u00a0\u3000#＃*【\[《“\"'「（(]+|[\s\u00a0\u3000*】\]》”\"'」）)]+$")
_AGENCY_YEAR_RE = re.compile(r"^(?:20\d\d\s*年度?)|(?:20\d\d\s*年度?)$")
# A body's name ends in what bodies are called; anything else (a sentence
# fragment, a breadcrumb, a site's name with a slogan) is no name.
_BODY_SUFFIX_RE = re.compile(
    r"(?:政府|办公室|办公厅|委员会|管委会|局|厅|委|院|署|所|中心|办|会|处|站|队|馆|部|司|社|室|街道|镇|乡|"
    r"苏木|公司|集团|银行|学校|大学|学院|医院|法院|检察院|监狱|场|园区|开发区|新区|示范区|功能区|实验区|试验区|合作区)$")
_NOT_A_NAME_RE = re.compile(r"[，。,:：；;>＞|/\\!?！？]|当前位置|首页|您的位置|网站|发布日期|索引号")


def clean_agency(name: str | None) -> str | None:
    """A candidate name without what surrounds it, or None if what is left
    is not shaped like a body's name."""
    if not name:
        return None
    prev = None
    while prev != name:
        prev = name
        name = _AGENCY_EDGE_RE.sub("", name)
        name = _AGENCY_LABEL_RE.sub("", name)
        name = _AGENCY_YEAR_RE.sub("", name)
        name = _NUMBERING_PREFIX_RE.sub("", name)
    if not 2 <= len(name) <= 40 or _NOT_A_NAME_RE.search(name) or not _BODY_SUFFIX_RE.search(name):
        return None
    return name


_NUMBERING_PREFIX_RE = re.compile(rf"^(?:{CN_NUMERAL}[、.．]|\d{{1,2}}[、.．])")
