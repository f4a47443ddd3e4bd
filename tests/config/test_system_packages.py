"""scripts/system_packages.sh, the one list of system packages: without root or sudo it stops at
once with the line to run; with everything there it says nothing. The system's own dpkg-query,
id and sudo are stood in for by scripts, so that nothing is installed here."""

import stat
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system_packages.sh"


def _stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _run(tmp_path, profile, *, installed: bool):
    """As a user (uid 1000) whose sudo asks for a password, on Debian."""
    bin_ = tmp_path / "bin"
    bin_.mkdir(exist_ok=True)
    status = "install ok installed" if installed else "unknown ok not-installed"
    _stand_in(bin_, "dpkg-query", f"printf '{status}'")
    _stand_in(bin_, "id", "echo 1000")
    _stand_in(bin_, "sudo", "exit 1")
    _stand_in(bin_, "apt-get", "echo apt-get must not run >&2; exit 99")
    return subprocess.run(
        ["bash", str(SCRIPT), profile],
        env={"PATH": f"{bin_}:/usr/bin:/bin", "PYTHON": "true"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_without_root_or_sudo_it_stops_at_once_with_the_command_to_run(tmp_path):
    done = _run(tmp_path, "test", installed=False)
    assert done.returncode == 1
    line = next(x for x in done.stderr.splitlines() if "apt-get install" in x).split()
    assert line[:4] == ["sudo", "apt-get", "update", "&&"]
    assert {"chromium", "libharfbuzz-subset0", "libpango-1.0-0", "fonts-dejavu-core"} <= set(line)
    assert "apt-get must not run" not in done.stderr


@pytest.mark.parametrize(
    ("profile", "wanted", "unwanted"),
    [
        ("demo", {"libharfbuzz-subset0", "libpangoft2-1.0-0"}, {"chromium", "gettext"}),
        ("lint", {"gettext"}, {"chromium", "libharfbuzz-subset0"}),
        ("ci", {"chromium", "gettext", "make", "postgresql-client"}, set()),
    ],
)
def test_each_command_asks_for_what_it_needs(tmp_path, profile, wanted, unwanted):
    missing = set(_run(tmp_path, profile, installed=False).stderr.split())
    assert wanted <= missing
    assert not unwanted & missing


def test_with_everything_installed_it_says_nothing(tmp_path):
    done = _run(tmp_path, "ci", installed=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_an_unknown_command_is_refused(tmp_path):
    done = _run(tmp_path, "everything", installed=True)
    assert done.returncode == 2
    assert "usage" in done.stderr
