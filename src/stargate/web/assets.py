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
    # Plotly's "basic" partial bundle (scatter, bar, pie): 1.1 MB instead of the full 4.8 MB;
    # the Sankey and the map are drawn in SVG by app.js.
    Vendored(
        "plotly.js-basic-dist-min", "3.1.2", "package/plotly-basic.min.js", "plotly-basic.min.js",
        "sha512-sKxQchVDtan+ELgRfxV9vdhF6jxdFzL7/gN1bfge4uFcQL1PbIDd1atkf7dLeYR6mdLHdaP+yoL2rOCJPr7OZQ==",
        "MIT",
    ),
    Vendored(
        "topojson-client", "3.1.0", "package/dist/topojson-client.min.js",
        "topojson-client.min.js",
        "sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==",
        "ISC",
    ),
    # U.S. states from the Census Bureau's cartographic boundaries (public domain), as TopoJSON
    # in longitude and latitude: the sites map projects it itself, nothing is fetched.
    Vendored(
        "us-atlas", "3.0.1", "package/states-10m.json", "us-states-10m.json",
        "sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q==",
        "ISC",
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
    for stale in set(folder.iterdir()) - {*written, folder / "VENDORED.txt"}:
        if stale.is_file():  # a file an earlier pin vendored (the full Plotly bundle)
            stale.unlink()
    licences = "".join(
        f"{v.name}: {v.package} {v.version} ({v.licence}), from npm\n" for v in VENDORED
    )
    (folder / "VENDORED.txt").write_text(licences, encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(path)
