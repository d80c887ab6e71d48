#!/usr/bin/env python3
"""Make the GBK-level subset of Noto Sans CJK SC Regular that the app embeds.

Output: assets/fonts/NotoSansCJKsc-Regular-GBK.otf (about 6 MB) and assets/fonts/LICENSE-OFL.txt.

Character set:
  * printable ASCII (U+0020-U+007E);
  * every character that a valid 2-byte GBK code decodes to (lead byte 0x81-0xFE, trail byte
    0x40-0x7E or 0x80-0xFE), private-use code points excluded. This covers GB2312 plus the rare
    given-name characters (喆 堃 玥 昇 珺 祎 赟 彧 ...) that clerks type;
  * full-width forms U+FF01-U+FF5E, CJK symbols and punctuation U+3000-U+303F, ￥ U+FFE5, × U+00D7,
    ÷ U+00F7, € U+20AC, the general punctuation the forms use (“ ” ‘ ’ … — · •);
  * the GB18030 character 𠮷 U+20BB7 (a common surname variant) when the font has it.

Layout features: only kern, vert, vrt2, palt and halt are kept. `locl` is left out on purpose: it
pulls in the Japanese, Korean and Traditional glyph variants and doubles the file (11 MB instead of
about 6 MB); egui does no OpenType shaping anyway. One GBK character (≒ U+2252) is not in the font.

Requirements (Debian): `apt-get install -y fonts-noto-cjk` and `pip install fonttools`.
Run from anywhere: `python3 assets/fonts/make_subset.py`.
"""

import os
import re
import subprocess
import sys
import tempfile

SOURCE_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Index of "Noto Sans CJK SC" Regular inside the collection (0 JP, 1 KR, 2 SC, 3 TC, 4 HK, ...).
SC_FONT_NUMBER = 2
COPYRIGHT_FILE = "/usr/share/doc/fonts-noto-cjk/copyright"

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "NotoSansCJKsc-Regular-GBK.otf")
LICENSE_OUT = os.path.join(HERE, "LICENSE-OFL.txt")


def gbk_chars():
    """All characters of 2-byte GBK plus ASCII, without private-use code points."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for lead in range(0x81, 0xFF):
        for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
            try:
                text = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            for ch in text:
                if not (0xE000 <= ord(ch) <= 0xF8FF):
                    chars.add(ch)
    return chars


def extra_chars():
    """Punctuation and symbols the forms use, whether or not GBK has them."""
    chars = {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width ASCII forms
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= set("￥×÷€“”‘’…—–·•※№℃‰")
    chars.add("\U00020BB7")  # 𠮷 (GB18030, beyond GBK)
    return chars


def font_cmap():
    """Code points the SC font actually maps (to keep only chars it has)."""
    from fontTools.ttLib import TTFont

    font = TTFont(SOURCE_TTC, fontNumber=SC_FONT_NUMBER, lazy=True)
    return set(font.getBestCmap().keys())


def write_license():
    """OFL 1.1 text from the Debian package's copyright file, with the font's own copyright line."""
    with open(COPYRIGHT_FILE, encoding="utf-8") as fh:
        text = fh.read()
    match = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.MULTILINE)
    if not match:
        sys.exit(f"OFL text not found in {COPYRIGHT_FILE}")
    body = []
    for line in match.group(1).splitlines():
        line = line[1:]  # drop the one-space continuation indent
        body.append("" if line == "." else line)
    header = (
        "NotoSansCJKsc-Regular-GBK.otf is a subset (GBK characters) of Noto Sans CJK SC Regular,\n"
        "made by make_subset.py from the Debian package fonts-noto-cjk.\n"
        "\n"
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n"
        "Noto is a trademark of Google Inc.\n"
        "\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n"
        "\n"
    )
    with open(LICENSE_OUT, "w", encoding="utf-8") as fh:
        fh.write(header + "\n".join(body).rstrip() + "\n")


def main():
    if not os.path.exists(SOURCE_TTC):
        sys.exit(f"{SOURCE_TTC} missing: apt-get install -y fonts-noto-cjk")
    wanted = gbk_chars() | extra_chars()
    available = font_cmap()
    chars = sorted(c for c in wanted if ord(c) in available)
    missing = sorted(c for c in wanted if ord(c) not in available)
    print(f"{len(wanted)} wanted, {len(chars)} in the font, {len(missing)} not in the font")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as fh:
        fh.write("".join(chars))
        text_file = fh.name
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "fontTools.subset",
                SOURCE_TTC,
                f"--font-number={SC_FONT_NUMBER}",
                f"--text-file={text_file}",
                f"--output-file={OUTPUT}",
                "--layout-features=kern,vert,vrt2,palt,halt",
                "--name-IDs=*",
                "--name-languages=*",
                "--notdef-outline",
            ],
            check=True,
        )
    finally:
        os.unlink(text_file)
    write_license()
    print(f"wrote {OUTPUT} ({os.path.getsize(OUTPUT)} bytes) and {LICENSE_OUT}")


if __name__ == "__main__":
    main()
