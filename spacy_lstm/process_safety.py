"""Making ``nlp.pipe(texts, n_process=N)`` work with PyTorch pipelines.

Two things break spaCy's multi-process annotation of a pipeline whose
tok2vec runs PyTorch; both are handled here, once, when ``spacy_lstm`` is
imported (which ``spacy.load`` of a pipeline using our architectures does):

* **fork** (Linux's default start method): the parent's intra-op thread pool
  (OpenMP) does not survive ``fork``; a child that runs a multi-threaded
  operator waits forever for threads that do not exist (spaCy's own
  ``TorchBiLSTMEncoder`` hangs the same way). A forked child therefore sets
  torch to one intra-op thread before it runs anything: one thread per
  process is what ``n_process`` equal to the number of cores wants anyway.
* **spawn** (macOS and Windows' default) pickles the pipeline. spaCy's
  ``unpickle_vocab`` gives the vectors the string store of a fresh vocab and
  then replaces the vocab's, so floret vectors lose their strings and the
  child fails with E018/E109 (spaCy issue 13993). Our reducer for ``Vocab``
  calls spaCy's and then points the vectors at the vocab's strings again.
"""
import copyreg
import os

_installed = False


def _one_thread_after_fork() -> None:
    import torch

    torch.set_num_threads(1)


def unpickle_vocab(*args):
    """spaCy's ``unpickle_vocab``, then the vectors share the vocab's strings."""
    from spacy.vocab import unpickle_vocab as spacy_unpickle_vocab

    vocab = spacy_unpickle_vocab(*args)
    vocab.vectors.strings = vocab.strings
    return vocab


def _pickle_vocab(vocab):
    from spacy.vocab import pickle_vocab

    _, args = pickle_vocab(vocab)
    return unpickle_vocab, args


def install() -> None:
    """Register the fork handler and the Vocab reducer (idempotent)."""
    global _installed
    if _installed:
        return
    from spacy.vocab import Vocab

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_one_thread_after_fork)
    copyreg.pickle(Vocab, _pickle_vocab)
    _installed = True
