"""Regular-expression pieces several extract modules share: one home each,
so that a change (a numeral, a unit) reaches every reader at once."""
import re

# Chinese numerals as numbering prints them (一 ... 十).
CN_NUMERAL = "[一二三四五六七八九十]+"
# 「一、」 with the separators numbering uses; readers add ",，" where a
# converter turns 、 into a comma.
CN_NUMBERING = CN_NUMERAL + r"\s*[、.．]"
# 「（一）」, 「(1)」.
PAREN_NUMBERING = r"[（(]\s*[一二三四五六七八九十\d]+\s*[)）]"
# 「1、」, 「1.」 (not a decimal such as 1.5).
DIGIT_NUMBERING = r"\d{1,2}\s*[、.．](?!\d)"
# The units a figure may print after its digits.
FIGURE_UNITS = "亿元|万元|万|元|件|条|项|个"
# A label naming an administrative review or a lawsuit (table 4).
REVIEW_RE = re.compile(r"复议|诉讼")
