"""The official list of Dutch regulations (BWBIdList): every BWB id with its titles and abbreviations.

KOOP publishes it daily as a zipped XML file at ``https://zoekservice.overheid.nl/BWBIdService/BWBIdList.xml.zip``
(``BWBIdList.xml`` inside; namespace ``http://schemas.overheid.nl/bwbidservice``). Each ``RegelingInfo`` holds
``BWBId``, ``RegelingSoort``, ``OfficieleTitel``, a ``CiteertitelLijst`` of ``Citeertitel`` (``titel``,
``status`` officieel/redactioneel, ``InwerkingtredingsDatum``), a ``NietOfficieleTitelLijst``, an
``AfkortingLijst`` of ``Afkorting``, and dates (``InwerkingtredingsDatum``, ``VervalDatum``). ``algokg harvest``
downloads it once into the cache (:data:`BWB_LIST_PIN`) and keeps it until ``--refresh``; a load reads the
cached copy. The file is read as a stream with expat; a document type declaration (and so any entity) is
refused, and the uncompressed size is bounded.
"""

import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from loader.reconcile.cache import Pin, ReconcileError
from loader.reconcile.law_gazetteer import LawEntry

NAMESPACE = "http://schemas.overheid.nl/bwbidservice"
BWB_LIST_URL = "https://zoekservice.overheid.nl/BWBIdService/BWBIdList.xml.zip"
BWB_LIST_PIN = Pin(name="bwb-idlist.xml.zip", url=BWB_LIST_URL)
MAX_UNCOMPRESSED = 1 << 30  # the real list is tens of megabytes; a larger one is not the list
_CHUNK = 1 << 16
_BWB_ID = re.compile(r"BWB[RV]\d{7}")
# Words that name a kind of regulation rather than one regulation: never a name on their own.
_GENERIC = {
    "wet", "besluit", "regeling", "reglement", "verdrag", "protocol", "overeenkomst", "statuut", "instructie",
    "beschikking", "verordening", "circulaire", "beleidsregel", "beleidsregels", "aanwijzing", "mededeling",
}  # fmt: skip


def read_bwb_list(path: Path) -> list[LawEntry]:
    """The regulations of a BWBIdList file (the zip as published, or the XML inside it).

    :raises ReconcileError: the file is not a readable BWBIdList (with the file and, for XML, the line).
    """
    stat = path.stat()
    return list(_read_cached(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=2)  # one load reads it once; a changed file (new mtime or size) is read again
def _read_cached(name: str, _mtime: int, _size: int) -> tuple[LawEntry, ...]:
    path = Path(name)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                member = _member(archive, path)
                with archive.open(member) as handle:
                    return tuple(_parse(handle, path, f"{path.name}!{member.filename}"))
        with path.open("rb") as handle:
            return tuple(_parse(handle, path, path.name))
    except (OSError, zipfile.BadZipFile) as error:
        raise ReconcileError(f"cannot read the BWB list: {error}", path=path) from error


def _member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
    if len(members) != 1:
        raise ReconcileError("a BWB list zip holds exactly one XML file (BWBIdList.xml)", path=path)
    if members[0].file_size > MAX_UNCOMPRESSED:
        raise ReconcileError(
            f"{members[0].filename} unpacks to {members[0].file_size} bytes: not the BWB list", path=path
        )
    return members[0]


def _parse(handle: BinaryIO, path: Path, label: str) -> Iterator[LawEntry]:
    reader = _Reader(label)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = reader.refuse_doctype
    parser.EntityDeclHandler = reader.refuse_doctype
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.buffer_text = True
    total = 0
    try:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            total += len(chunk)
            if total > MAX_UNCOMPRESSED:
                raise ReconcileError("more than 1 GiB of XML: not the BWB list", path=path)
            parser.Parse(chunk, False)
            yield from reader.done()
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as error:
        raise ReconcileError(f"not well-formed XML: {error}", path=path, line=error.lineno) from error
    except ReconcileError as error:
        if error.path is not None:
            raise
        raise ReconcileError(error.message, path=path, line=parser.CurrentLineNumber) from error
    yield from reader.done()
    if not reader.seen_list:
        raise ReconcileError(f"no RegelingInfoLijst in the {NAMESPACE} namespace: not a BWB list", path=path)


class _Reader:
    """Collects one ``RegelingInfo`` at a time from expat's events."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.path: list[str] = []
        self.buffer: list[str] = []
        self.current: dict[str, list[str]] | None = None
        self.finished: list[LawEntry] = []
        self.seen_list = False

    def refuse_doctype(self, *_: object) -> None:
        raise ReconcileError("a document type declaration (and any entity) is refused in the BWB list")

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = _local(name)
        self.path.append(local)
        self.buffer = []
        if local == "RegelingInfoLijst":
            self.seen_list = True
        elif local == "RegelingInfo":
            self.current = {}

    def text(self, data: str) -> None:
        self.buffer.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        value = " ".join("".join(self.buffer).split())
        parent = self.path[-2] if len(self.path) > 1 else ""
        self.path.pop()
        self.buffer = []
        if self.current is None:
            return
        if local == "RegelingInfo":
            if entry := _entry(self.current, self.label):
                self.finished.append(entry)
            self.current = None
            return
        key = f"{parent}/{local}" if parent == "Citeertitel" else local
        if value:
            self.current.setdefault(key, []).append(value)

    def done(self) -> list[LawEntry]:
        finished, self.finished = self.finished, []
        return finished


def _local(name: str) -> str:
    namespace, _, local = name.rpartition(" ")
    return local if namespace == NAMESPACE else f"{{{namespace}}}{local}"


def _entry(fields: dict[str, list[str]], label: str) -> LawEntry | None:
    bwb_id = next(iter(fields.get("BWBId", [])), "")
    if not _BWB_ID.fullmatch(bwb_id):
        return None
    citations = fields.get("Citeertitel/titel", [])
    official = next(iter(fields.get("OfficieleTitel", [])), None)
    title = citations[0] if citations else official
    names = [name for name in (*citations, *fields.get("NietOfficieleTitel", []), official or "") if _usable(name)]
    abbreviations = [name for name in fields.get("Afkorting", []) if _usable_abbreviation(name)]
    expired = next(iter(fields.get("VervalDatum", [])), None)
    return LawEntry(
        law_id=bwb_id,
        source=f"BWB list ({label})",
        title_nl=title,
        names=tuple(dict.fromkeys(names)),
        abbreviations=tuple(dict.fromkeys(abbreviations)),
        repealed=expired,
    )


def _usable(name: str) -> bool:
    words = name.split()
    if not words or name.casefold() in _GENERIC:
        return False
    return len(words) > 1 or len(name) >= 5


def _usable_abbreviation(name: str) -> bool:
    letters = [char for char in name if char.isalpha()]
    return len(letters) >= 2 and any(char.isupper() for char in letters) and name.casefold() not in _GENERIC
