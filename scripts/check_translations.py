#!/usr/bin/env python
"""Fail when the Dutch or English catalog misses a string of the interface, holds a fuzzy one,
or when a committed .mo file is not the compilation of its .po file.

Runs ``makemessages`` on a temporary copy of the tree, so the working copy is never touched, then
counts untranslated and fuzzy entries with ``msgfmt --statistics``.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["nl", "en"]
IGNORE = shutil.ignore_patterns(".venv", ".git", "var", "node_modules", "__pycache__", "*.sqlite3")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(ROOT, copy, ignore=IGNORE)
        args = ["makemessages", *(f"-l{lang}" for lang in LANGUAGES), "--no-obsolete", "-v0"]
        subprocess.run([sys.executable, "manage.py", *args], cwd=copy, check=True)
        problems = []
        for lang in LANGUAGES:
            po = copy / "locale" / lang / "LC_MESSAGES" / "django.po"
            stats = subprocess.run(
                ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                capture_output=True,
                text=True,
                check=True,
                env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
            ).stderr
            counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", stats)}
            missing = counts.get("untranslated", 0) + counts.get("fuzzy", 0)
            if missing:
                problems.append(f"{lang}: {stats.strip()}")
            else:
                print(f"{lang}: {stats.strip()}")
            committed = ROOT / "locale" / lang / "LC_MESSAGES"
            fresh = Path(tmp) / f"{lang}.mo"
            subprocess.run(
                ["msgfmt", "--check-format", "-o", str(fresh), str(committed / "django.po")],
                check=True,
            )
            mo = committed / "django.mo"
            if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                problems.append(f"{lang}: django.mo is missing or older than django.po")
    if problems:
        print("Incomplete translations (run `make messages`, then translate):", *problems, sep="\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
