"""Front-end libraries the dashboard serves itself (no CDN): pinned npm packages, fetched at
build time by ``make assets`` with npm, checked against their registry integrity (SHA-512) and
unpacked into ``static/vendor/``. Nothing is fetched at run time.

Run ``python -m stargate.web.assets`` to (re)build the folder.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final


@dataclass(frozen=True, slots=True)
class Vendored:
    package: str
    version: str
    member: str  # the file inside the npm tarball
    name: str  # the file name served under /static/vendor/
    integrity: str  # the registry's ``dist.integrity``
    licence: str


VENDORED: Final = (
    Vendored(
        "cytoscape", "3.34.4", "package/dist/cytoscape.min.js", "cytoscape.min.js",
        "sha512-msY99tMY8iWTg+sIPGfSqDcPNOt4xcj+v/K/7qUFaCUxxlqnMkUYLBjRUzn9W5CU/R2hrmtJa5+UtovrEM2ctg==",
        "MIT",
    ),
    Vendored(
        "plotly.js-dist-min", "3.1.2", "package/plotly.min.js", "plotly.min.js",
        "sha512-GlgsV+1IMjPpyJWnWjHfD2SBczqke/JNPElLAZ5cUir3fz5D4WDcYyQFJLU60SjCvJXH+KTPp8SBuVIr084sOA==",
        "MIT",
    ),
)  # fmt: skip


def vendor_dir() -> Path:
    return Path(str(resources.files("stargate.web") / "static" / "vendor"))


def missing() -> list[str]:
    """The vendored files that are not in place (the dashboard's graphs need them)."""
    folder = vendor_dir()
    return [v.name for v in VENDORED if not (folder / v.name).is_file()]


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def build(folder: Path | None = None) -> list[Path]:
    """Fetch each pinned package with ``npm pack``, check it, and unpack its file."""
    folder = folder or vendor_dir()
    folder.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "npm is needed to build the dashboard's assets (Debian: apt-get install npm)"
        )
    written = []
    with tempfile.TemporaryDirectory(prefix="stargate-assets-") as tmp:
        for item in VENDORED:
            spec = f"{item.package}@{item.version}"
            subprocess.run(
                [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                check=True, cwd=tmp, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            tarball = Path(tmp) / f"{item.package.replace('/', '-')}-{item.version}.tgz"
            if item.integrity and _integrity(tarball) != item.integrity:
                raise SystemExit(f"{spec}: the tarball does not match its pinned integrity")
            with tarfile.open(tarball) as archive:
                member = archive.extractfile(item.member)
                if member is None:
                    raise SystemExit(f"{spec}: {item.member} is not in the package")
                target = folder / item.name
                target.write_bytes(member.read())
            written.append(target)
    licences = "".join(
        f"{v.name}: {v.package} {v.version} ({v.licence}), from npm\n" for v in VENDORED
    )
    (folder / "VENDORED.txt").write_text(licences, encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(path)
