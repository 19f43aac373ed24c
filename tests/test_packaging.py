"""`pip install .` from a clean checkout builds and bundles the front end; the bundle is offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = {
    "grid": 420_000,
    "heatmap": 120_000,
    "limit": 120_000,
    "sample": 380_000,
    "page": 480_000,
}
"""Each bundle and the size it must stay under (the grid and the sample view carry a
markdown renderer and a TeX typesetter, ~300 KB, for the whole-sample view; ``page`` is
`save_html`'s page: the grid, heatmap and limits chart with the page's own answerer)."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    checkout = tmp_path_factory.mktemp("checkout") / "evallens"
    # Only what git tracks: no node_modules, no built static files, as in a fresh clone.
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(checkout)], check=True)
    for path in subprocess.run(
        ["git", "ls-files", "-m", "-o", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split():
        # Uncommitted work under test travels along, so the test checks this tree.
        if (ROOT / path).is_file():
            (checkout / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, checkout / path)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(checkout),
            "-w",
            str(out),
            "--no-deps",
            "--no-build-isolation",
            "-q",
        ],
        check=True,
    )
    return zipfile.ZipFile(next(out.glob("evallens-*.whl")))


def test_wheel_carries_every_bundle(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for widget in WIDGETS:
        assert f"evallens/static/{widget}.js" in names
        assert f"evallens/static/{widget}.css" in names
    assert "evallens/py.typed" in names


def test_bundles_are_self_contained_es_modules(wheel: zipfile.ZipFile) -> None:
    for widget, most in WIDGETS.items():
        bundle = wheel.read(f"evallens/static/{widget}.js").decode()
        # The bundled packages' licence texts close the module, as one comment.
        js, _, licences = bundle.partition("\n/*! Bundled third-party code:")
        assert not licences or licences.rstrip().endswith("*/")
        assert "export" in js and len(js.splitlines()) < 200  # one minified ES module
        # No import of anything outside the bundle, no CDN, no runtime fetch.
        assert not re.search(r"\bimport\s*\(|\bfrom\s*[\"']|\bimport\s*[\"']", js)
        # A TeX parser's own fetch() method (defined, or called on it) is not the network.
        assert not re.search(r"(?<![.\w$])fetch\((?!\)\{)", js)
        # URLs only as text: markdown-it's link normalising ("http://" + a host), MathML's
        # namespace; never a resource.
        urls = re.findall(r"https?://[^\s\"'`]*", js)
        assert all(u.startswith(("http://www.w3.org/", "http://$")) for u in urls), urls
        assert len(js) < most


def test_the_build_hook_bundles_every_widget_entry() -> None:
    """The list of bundles comes from widget/src/*/index.ts, so no widget can be left out."""
    sys.path.insert(0, str(ROOT))
    try:
        from hatch_build import bundles
    finally:
        sys.path.remove(str(ROOT))
    assert bundles(ROOT) == [f"{w}.js" for w in sorted(WIDGETS)]


def test_one_version_everywhere(wheel: zipfile.ZipFile) -> None:
    import evallens

    metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    version = re.search(r"^Version: (.+)$", wheel.read(metadata).decode(), re.M)
    assert version is not None and version.group(1) == evallens.__version__
    assert f"## {evallens.__version__}" in (ROOT / "CHANGELOG.md").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
