"""The project's prepare step: unpack the public archives where the later steps read.

    python scripts/prepare.py CORPUS [--assets assets] [--record corpus/prepare-CORPUS.json]

For ``tl_public`` (``spacy project assets --extra``), it unpacks

* ``assets/textcat/hatespeech_raw.zip`` (``hatespeech/{train,valid,test}.csv``,
  columns ``text,label``) into ``assets/textcat/tl_public-textcat-{train,dev,test}.csv``;
* ``assets/raw/tlunified-raw.zip`` (``tlunified/train.txt``, one document per
  line) into ``assets/raw/tl_public-raw.txt``;

checking each file's shape first (UTF-8, not empty, the CSV's columns), with
one line naming archive, member and line on a problem. Every file is written
to a temporary name and renamed. RECORD lists the SHA-256 of what it wrote:
a file that exists with other content than this step wrote (the user's own,
or one the user edited) is never overwritten; the step stops with one line.
For any other corpus (the sample) there is nothing to unpack.
"""
import argparse
import csv
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

#: (archive under assets/, member, destination under assets/, kind)
PUBLIC: List[Tuple[str, str, str, str]] = [
    ("textcat/hatespeech_raw.zip", "hatespeech/train.csv", "textcat/tl_public-textcat-train.csv", "csv"),
    ("textcat/hatespeech_raw.zip", "hatespeech/valid.csv", "textcat/tl_public-textcat-dev.csv", "csv"),
    ("textcat/hatespeech_raw.zip", "hatespeech/test.csv", "textcat/tl_public-textcat-test.csv", "csv"),
    ("raw/tlunified-raw.zip", "tlunified/train.txt", "raw/tl_public-raw.txt", "lines"),
]
CSV_COLUMNS = ("text", "label")


class PrepareError(ValueError):
    """An archive or a member is not what the later steps need; one line."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lines(data: bytes, where: str) -> Iterator[Tuple[int, str]]:
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            yield number, raw.decode("utf8")
        except UnicodeDecodeError as err:
            raise PrepareError(f"{where}, line {number}: not valid UTF-8 (byte 0x{raw[err.start]:02x})") from None


def check(data: bytes, kind: str, where: str) -> int:
    """The member's documents (rows or non-blank lines); raises PrepareError."""
    lines = list(_lines(data, where))
    if kind == "lines":
        count = sum(1 for _, line in lines if line.strip())
    else:
        text = "\n".join(line for _, line in lines)
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        if header is None or any(column not in header for column in CSV_COLUMNS):
            raise PrepareError(f"{where}, line 1: expected the columns {', '.join(CSV_COLUMNS)}; found {header}")
        count = sum(1 for row in rows if any(cell.strip() for cell in row))
    if not count:
        raise PrepareError(f"{where}: no documents")
    return count


def prepare(corpus: str, assets: Path, record_path: Path) -> Dict[str, Dict[str, object]]:
    if corpus != "tl_public":
        return {}
    record = json.loads(record_path.read_text(encoding="utf8")) if record_path.is_file() else {}
    written: Dict[str, Dict[str, object]] = {}
    for archive_name, member, dest_name, kind in PUBLIC:
        archive, dest = assets / archive_name, assets / dest_name
        if not archive.is_file():
            raise PrepareError(f"{archive}: not found; run `python -m spacy project assets --extra` first")
        try:
            with zipfile.ZipFile(archive) as zipped:
                data = zipped.read(member)
        except zipfile.BadZipFile:
            raise PrepareError(f"{archive}: not a zip archive") from None
        except KeyError:
            raise PrepareError(f"{archive}: no member {member}") from None
        count = check(data, kind, f"{archive}:{member}")
        digest = hashlib.sha256(data).hexdigest()
        if dest.exists():
            have = sha256(dest)
            ours = (record.get(dest_name) or {}).get("sha256")
            if have != digest and have != ours:
                raise PrepareError(f"{dest}: exists and is not what this step wrote (edited, or your own file); "
                                   "move it away to unpack the archive there")
        if not dest.exists() or sha256(dest) != digest:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.prepare.tmp")
            tmp.write_bytes(data)
            tmp.replace(dest)
        written[dest_name] = {"archive": archive_name, "member": member, "sha256": digest, "documents": count}
    record_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = record_path.with_name(f".{record_path.name}.tmp")
    tmp.write_text(json.dumps(written, indent=1) + "\n", encoding="utf8")
    tmp.replace(record_path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="the project's vars.corpus (tl_public unpacks; others: nothing to do)")
    parser.add_argument("--assets", default="assets", help="the project's assets directory")
    parser.add_argument("--record", default="", help="what was written, with checksums "
                        "(default corpus/prepare-CORPUS.json)")
    args = parser.parse_args()
    record = Path(args.record or f"corpus/prepare-{args.corpus}.json")
    try:
        written = prepare(args.corpus, Path(args.assets), record)
    except PrepareError as err:
        print(f"\u2718 {err}", file=sys.stderr)
        sys.exit(1)
    if not written:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("{}\n", encoding="utf8")
        print(f"\u2714 {args.corpus}: nothing to unpack")
        return
    for name, info in written.items():
        print(f"\u2714 {name}: {info['documents']:,} documents from {info['archive']}:{info['member']}")


if __name__ == "__main__":
    main()
