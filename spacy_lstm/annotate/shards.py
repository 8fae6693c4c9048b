"""The output of ``annotate``: shards of a fixed number of docs, resumable.

OUTPUT_DIR/
  manifest.json              settings, inputs, pipeline; totals and bad lines when complete
  shards/shard-00000.spacy   DocBin of docs 0..N-1 (user_data kept)
  shards/shard-00000.jsonl   optional: tokens, POS, lemma, head, dep, entities, cats
  shards/shard-00000.json    that shard's manifest, written last

Shard k holds documents k*N .. k*N+N-1 of the inputs, in order. Every file is
written to a temporary name and renamed, and a shard's ``.json`` only after
its data, so a shard is finished exactly when its ``.json`` exists and the
data it names has the recorded SHA-256; a rerun skips finished shards and
redoes any other, and its output equals one uninterrupted run's.

One run writes a directory at a time: the run holds an advisory lock
(``flock``) on OUTPUT_DIR itself while it works, and its pid is in the
unfinished manifest; a second run on the same directory is refused with one
line naming that pid, before it touches anything. The kernel drops the lock
when the process ends, however it ends.
"""
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from spacy.tokens import Doc, DocBin

from ..errors import UsageError
from ..safe_output import OutputRefused, atomic_file

MANIFEST = "manifest.json"
SHARDS = "shards"


def shard_name(index: int, suffix: str) -> str:
    return f"shard-{index:05d}{suffix}"


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_json(doc: Doc) -> Dict[str, Any]:
    """One annotated doc as a JSON object."""
    return {
        "text": doc.text,
        "tokens": [
            {"text": t.text, "pos": t.pos_, "tag": t.tag_, "lemma": t.lemma_, "morph": str(t.morph),
             "head": t.head.i, "dep": t.dep_}
            for t in doc
        ],
        "ents": [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents],
        "cats": doc.cats,
        "user_data": {k: v for k, v in doc.user_data.items() if isinstance(k, str)},
    }


def serialize_shard(docs: List[Doc], jsonl: bool) -> Dict[str, bytes]:
    """A shard's files by suffix: the DocBin, and the JSONL when asked."""
    data = {".spacy": DocBin(docs=docs, store_user_data=True).to_bytes()}
    if jsonl:
        data[".jsonl"] = "".join(json.dumps(doc_json(d), ensure_ascii=False) + "\n" for d in docs).encode("utf8")
    return data


class ShardWriter:
    """Writes (and on a rerun, recognises) the shards of one annotate run."""

    def __init__(self, output_dir: Path, settings: Dict[str, Any], jsonl: bool = False) -> None:
        self.dir = Path(output_dir)
        self.shards = self.dir / SHARDS
        self.settings = settings
        self.jsonl = jsonl
        self._lock: Optional[int] = None
        #: Why the manifest was rebuilt (None if it was not).
        self.rebuilt: Optional[str] = None

    def prepare(self) -> bool:
        """Create the output, or accept an earlier run with the same settings
        to resume; returns True when resuming. Anything else is refused."""
        manifest = self.dir / MANIFEST
        if self.dir.exists() and not self.dir.is_dir():
            raise OutputRefused(f"{self.dir}: exists and is not a directory")
        if self.dir.is_dir() and any(self.dir.iterdir()):
            if not manifest.is_file():
                raise OutputRefused(
                    f"{self.dir}: exists and is not the output of an annotate run (no {MANIFEST}); "
                    "name a new directory"
                )
            self._take_lock()
            earlier = self._read_manifest()
            if (earlier.get("settings") != self.settings and not earlier.get("complete")
                    and not any(self.shards.glob("shard-*.json"))):
                # an earlier run that failed before finishing any shard (bad
                # input, a wrong option): start again with these settings
                self._remove_temporaries()
                self._write_unfinished_manifest()
                return False
            if earlier.get("settings") != self.settings:
                changed = sorted(k for k in set(self.settings) | set(earlier.get("settings", {}))
                                 if earlier.get("settings", {}).get(k) != self.settings.get(k))
                raise UsageError(
                    f"{self.dir}: an earlier annotate run with other settings ({', '.join(changed)} differ); "
                    "rerun it with the same pipeline, inputs and options, or name a new directory"
                )
            self._remove_temporaries()
            if not earlier.get("complete") or self.rebuilt:
                self._write_unfinished_manifest()
            return True
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:  # a parent is a file, no permission...
            raise OutputRefused(f"{self.dir}: cannot create it ({err.strerror})") from None
        self._take_lock()
        self.shards.mkdir(parents=True, exist_ok=True)
        self._write_unfinished_manifest()
        return False

    def _write_unfinished_manifest(self) -> None:
        """This run's settings and pid: the directory is being written."""
        self._write_manifest({"settings": self.settings, "complete": False, "pid": os.getpid()})

    def _read_manifest(self) -> Dict[str, Any]:
        """The earlier run's manifest; a damaged one (a crash while the disk
        was full, a truncated copy) is rebuilt with this run's settings, as
        the directory is ours (it has shards/): every shard is verified
        against this run's plan before it is kept (:mod:`.plan`)."""
        path = self.dir / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf8"))
            if isinstance(manifest, dict):
                return manifest
            problem = "not a JSON object"
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            problem = str(err)
        if not self.shards.is_dir():
            raise OutputRefused(f"{path}: unreadable ({problem}) and no {SHARDS}/ beside it; name a new directory")
        self.rebuilt = f"{path} was unreadable ({problem}): rebuilt; only shards that verify are kept"
        return {"settings": self.settings, "complete": False}

    def _take_lock(self) -> None:
        """Hold an advisory lock on the output directory until this process
        ends (or :meth:`close`); refuse if another run holds it."""
        try:
            import fcntl
        except ImportError:  # no flock (Windows): runs are not guarded
            return
        if self._lock is not None:
            return
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            try:
                pid = json.loads((self.dir / MANIFEST).read_text(encoding="utf8")).get("pid", "unknown")
            except (OSError, ValueError):
                pid = "unknown"
            raise UsageError(f"{self.dir}: being written by another annotate (pid {pid}); wait for it "
                             "to finish or name another directory") from None
        self._lock = fd

    def close(self) -> None:
        """Release the lock on the output directory (the end of the process does too)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _remove_temporaries(self) -> None:
        # temporary files of an interrupted run (ours: named .shard-*.tmp)
        for tmp in [*self.shards.glob(".shard-*.tmp"), *self.dir.glob(f".{MANIFEST}.*.tmp")]:
            tmp.unlink()

    def finished(self, index: int) -> Optional[Dict[str, Any]]:
        """The shard's manifest if the shard is complete and intact, else None."""
        path = self.shards / shard_name(index, ".json")
        if not path.is_file():
            return None
        try:
            info = json.loads(path.read_text(encoding="utf8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None  # a damaged sidecar: the shard is redone, like a damaged shard
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), dict) or not info["sha256"]:
            return None
        for name, digest in info.get("sha256", {}).items():
            data_path = self.shards / name
            if not data_path.is_file() or _sha256(data_path.read_bytes()) != digest:
                return None
        return info

    def write(self, index: int, docs: List[Doc], sources: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Write shard ``index`` (its data, then its manifest); returns the manifest."""
        return self.write_serialized(index, serialize_shard(docs, self.jsonl), len(docs),
                                     sum(len(d) for d in docs), sources)

    def write_serialized(
        self, index: int, data: Dict[str, bytes], n_docs: int, n_words: int, sources: List[Dict[str, Any]]
    ) -> Dict[str, Any]:
        """:meth:`write` for a shard serialized elsewhere (:func:`serialize_shard`)."""
        files = {shard_name(index, suffix): content for suffix, content in data.items()}
        for name, content in files.items():
            _write_bytes(self.shards / name, content)
        info = {
            "shard": index,
            "docs": n_docs,
            "words": n_words,
            "sources": sources,
            "sha256": {name: _sha256(content) for name, content in files.items()},
        }
        _write_bytes(self.shards / shard_name(index, ".json"), (json.dumps(info, indent=1) + "\n").encode("utf8"))
        return info

    def finish(self, shards: Iterable[Dict[str, Any]], bad_lines: List[Dict[str, Any]]) -> Dict[str, Any]:
        shards = sorted(shards, key=lambda s: s["shard"])
        manifest = {
            "settings": self.settings,
            "complete": True,
            "shards": [{k: s[k] for k in ("shard", "docs", "words", "sources")} for s in shards],
            "docs": sum(s["docs"] for s in shards),
            "words": sum(s["words"] for s in shards),
            "bad_lines": bad_lines,
        }
        self._write_manifest(manifest)
        self.close()
        return manifest

    def _write_manifest(self, manifest: Dict[str, Any]) -> None:
        _write_bytes(self.dir / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf8"))
