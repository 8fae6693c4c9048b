"""Annotating whole corpora: ``python -m spacy lstm annotate``.

* :mod:`.inputs`: the documents of the input files, streamed, with where
  each comes from (file, line, bytes) and what could not be read;
* :mod:`.shards`: the output layout (DocBin shards of a fixed number of
  docs, each written atomically with its manifest) and resuming;
* :mod:`.plan`: which documents go into which shard, which shards are left;
* :mod:`.worker`: a whole shard annotated and serialized by a worker;
* :mod:`.local`: one machine, in this process or a pool of workers;
* :mod:`.pool`: the worker processes (forkserver, ready bound, die with the command);
* :mod:`.heap`: large blocks back to the system in the processes that annotate (peak RSS);
* :mod:`.ray_engine`: a Ray cluster (Ray Data, an actor pool), same layout.
"""
from .inputs import AnnotateInputError, Record, iter_records
from .local import annotate_local
from .shards import ShardWriter

__all__ = ["AnnotateInputError", "Record", "ShardWriter", "annotate_local", "iter_records"]
