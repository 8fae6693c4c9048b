"""``spacy_lstm.PretrainBiLM.v1``: train a tok2vec as a bidirectional language model.

An objective for spaCy's own ``spacy pretrain``: the forward half of the
tok2vec output at token t predicts token t+1, the backward half at t
predicts token t-1. It needs a tok2vec whose halves never read the token
they predict (``spacy_lstm.LSTMTok2Vec.v3``); spaCy's built-in objectives
predict a token from its own output, which a BiLSTM reads in its input.

What is predicted about the neighbour (``target``):

* ``"words"``: the neighbour's NORM, by a softmax over the neighbours in the
  batch (each token's neighbour against every other distinct neighbour of
  the batch: sampled softmax with in-batch negatives, as drawn by frequency),
  scored against a learned hash embedding of NORM;
* ``"vectors"``: the neighbour's static vector (cosine distance, as spaCy's
  ``PretrainVectors``); needs ``[initialize] vectors``;
* ``"characters"``: ``n_characters`` bytes of the neighbour's UTF-8, taken
  from both ends in turn (first, last, second, second to last...; shorter
  words padded), as spaCy's ``PretrainCharacters`` does.

docs/benchmarks.md reports what each gives downstream.
"""
import inspect
import warnings
from types import SimpleNamespace
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy
from spacy.attrs import NORM, ORTH
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import (
    CosineDistance,
    HashEmbed,
    Linear,
    Maxout,
    Model,
    MultiSoftmax,
    chain,
    to_categorical,
)

from ..layers.matmul_ops import use_training_matmul
from ..layers.settings import bind_settings
from ..models.tok2vec_model import PRETRAINED_MARK
from ..modules.precision import cpu_has_native_bf16, predicts_in_bf16, training_in_bf16
from .restart import Restarts, check_restart_epochs
from .schedule import WarmupLinearOverText
from .stop import settings_checked

TARGETS = ("words", "vectors", "characters")


def neighbour_pairs(lengths: List[int]) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Rows (in the flattened batch) of each token that has a next token, and
    of each token that has a previous one. The forward half of row ``r`` in
    the first array predicts row ``r + 1``; the backward half of row ``r`` in
    the second predicts row ``r - 1``."""
    lengths_a = numpy.asarray(lengths, dtype="int64")
    starts = numpy.cumsum(lengths_a) - lengths_a
    rows = numpy.arange(int(lengths_a.sum()), dtype="int64")
    doc = numpy.repeat(numpy.arange(len(lengths_a)), lengths_a)
    position = rows - starts[doc]
    return rows[position < lengths_a[doc] - 1], rows[position > 0]


@registry.architectures("spacy_lstm.PretrainBiLM.v1")
def create_pretrain_bilm(
    target: str = "words",
    hidden_size: int = 256,
    maxout_pieces: int = 2,
    embedding_rows: int = 50000,
    n_characters: int = 4,
) -> Callable[[Vocab, Model], Model]:
    """The objective for ``[pretraining.objective]``.

    target (str): What each half predicts about its neighbour: "words",
        "vectors" or "characters" (see the module docstring).
    hidden_size (int): Width of the Maxout layer of each direction's output
        head. 128-512.
    maxout_pieces (int): Maxout pieces of the heads. 2-3.
    embedding_rows (int): "words": rows of the hashed NORM output embedding.
        20000-200000.
    n_characters (int): "characters": bytes of the neighbour predicted,
        from both ends in turn (4 = the first two and the last two). 2-8.
    """
    return _objective("spacy_lstm.PretrainBiLM.v1", target, hidden_size, maxout_pieces, embedding_rows,
                      n_characters, bf16=False)


@registry.architectures("spacy_lstm.PretrainBiLM.v2")
def create_pretrain_bilm_v2(
    target: str = "words",
    hidden_size: int = 256,
    maxout_pieces: int = 2,
    embedding_rows: int = 50000,
    n_characters: int = 4,
    precision: str = "fp32",
    restart_epochs: Sequence[int] = (),
    step_schedules: bool = False,
) -> Callable[[Vocab, Model], Model]:
    """``PretrainBiLM.v1`` with a training precision: the same objective,
    and with ``precision = "fp32"`` the same arithmetic.

    target, hidden_size, maxout_pieces, embedding_rows, n_characters: As in
        ``spacy_lstm.PretrainBiLM.v1``.
    precision (str): "fp32" (default), "bf16" or "auto". With bf16, the
        LSTMs (autocast) and every large matrix product of the tok2vec's
        embedding mixer, the heads and the in-batch softmax run in bfloat16
        on the CPU (float32 weights, accumulation, LayerNorms and optimizer);
        "auto" is bf16 only where the CPU has AMX or AVX-512 BF16. Only the
        pretraining run changes: the tok2vec it writes is an ordinary
        float32 one. See docs/benchmarks.md for speed and accuracy.
    restart_epochs (List[int]): Epochs (counted from 0, as spaCy names
        ``model{N}.bin``) at whose first batch the run restarts as a resumed
        run would: the tok2vec takes the weights spaCy saves (under the
        optimizer's averages), the output layer starts afresh, and so do
        Adam's moments and the averages (pretraining/restart.py). Empty
        (default): never, the same arithmetic as before the setting existed.
        Needs ``spacy_lstm.RawText.v1`` as the corpus (it marks the epochs);
        epochs count from the start of this run, also under ``--epoch-resume``.
    step_schedules (bool): Advance the optimizer's schedules after every
        update, as ``spacy train`` does. ``spacy pretrain`` never does, so
        without this a schedule in ``[pretraining.optimizer]`` (a warm-up,
        a slanted triangle, cosine restarts) stays at its first value, which
        for a warm-up is 0. Default false: what v2 always computed. A rate
        from ``spacy_lstm.warmup_linear_over_text.v1`` (sized by the text,
        not by steps) is advanced either way.
    """
    return _pretrain_bilm_v2(SimpleNamespace(**locals()), "spacy_lstm.PretrainBiLM.v2", float32_in_torch=False)


def _pretrain_bilm_v2(s: SimpleNamespace, name: str, float32_in_torch: bool) -> Callable[[Vocab, Model], Model]:
    """The objective of ``PretrainBiLM.v2``'s settings ``s`` (v3: with
    ``float32_in_torch``)."""
    with settings_checked():
        bf16 = predicts_in_bf16(s.precision, "PretrainBiLM: precision")
        restart_epochs = check_restart_epochs(s.restart_epochs)
    if bf16 and not cpu_has_native_bf16():
        warnings.warn(
            "PretrainBiLM: precision = \"bf16\" on a CPU without AMX or AVX-512 BF16: the LSTMs train in float32 "
            "(oneDNN has no bfloat16 LSTM here) and the matrix products in emulated bfloat16, slower than fp32; "
            "use precision = \"auto\" (fp32 on this CPU)", UserWarning, stacklevel=3)
    return _objective(name, s.target, s.hidden_size, s.maxout_pieces, s.embedding_rows, s.n_characters, bf16=bf16,
                      restart_epochs=restart_epochs, step_schedules=s.step_schedules,
                      float32_in_torch=float32_in_torch)


@registry.architectures("spacy_lstm.PretrainBiLM.v3")
def create_pretrain_bilm_v3(**settings: Any) -> Callable[[Vocab, Model], Model]:
    """``PretrainBiLM.v2`` (the same settings) whose float32 matrix products
    (the tok2vec's embedding mixer, the heads, the in-batch softmax) run as
    torch's float32 ``mm`` (MKL or oneDNN, torch's threads) instead of
    thinc's numpy ``gemm`` (blis, one thread): the same arithmetic up to
    float32 rounding; in fp32 1.15x v2's words/s on one thread and 1.38x on
    two of an AVX2 EPYC (docs/benchmarks.md). In bf16 (``"bf16"``, or ``"auto"`` on a CPU with
    AMX or AVX-512 BF16) its training products are v2's bfloat16 ones. Only
    the pretraining run changes: the tok2vec it writes is an ordinary one.
    """
    return _pretrain_bilm_v2(bind_settings(create_pretrain_bilm_v3, (), settings), "spacy_lstm.PretrainBiLM.v3",
                             float32_in_torch=True)


# v3's settings are v2's: one signature, which spaCy's config validation reads
create_pretrain_bilm_v3.__signature__ = inspect.signature(create_pretrain_bilm_v2)  # type: ignore[attr-defined]


def _objective(name: str, target: str, hidden_size: int, maxout_pieces: int, embedding_rows: int,
               n_characters: int, bf16: bool, restart_epochs: Sequence[int] = (),
               step_schedules: bool = False, float32_in_torch: bool = False) -> Callable[[Vocab, Model], Model]:
    with settings_checked():
        if target not in TARGETS:
            raise ValueError(f"PretrainBiLM: target must be one of {', '.join(TARGETS)}; got {target!r}")
        if hidden_size < 1 or maxout_pieces < 1 or embedding_rows < 1 or n_characters < 1:
            raise ValueError(
                "PretrainBiLM: hidden_size, maxout_pieces, embedding_rows and n_characters must be >= 1; got "
                f"{hidden_size}, {maxout_pieces}, {embedding_rows} and {n_characters}"
            )

    def create_bilm_objective(vocab: Vocab, tok2vec: Model) -> Model:
        halves = _halves(tok2vec)
        tok2vec.attrs[PRETRAINED_MARK] = f"{name}, target {target!r}"
        if target == "vectors":
            if vocab.vectors.shape[1] == 0:
                with settings_checked():
                    raise ValueError(
                        "PretrainBiLM: target = \"vectors\" needs static vectors; set [initialize] vectors "
                        "(--paths.vectors) or use target = \"words\""
                    )
            n_out = vocab.vectors.shape[1]
        elif target == "words":
            n_out = hidden_size
        else:
            n_out = 256 * n_characters

        def head(n_in: int) -> Model:
            out = (
                MultiSoftmax([256] * n_characters, hidden_size)
                if target == "characters"
                else Linear(n_out, hidden_size)
            )
            return chain(Maxout(hidden_size, n_in, nP=maxout_pieces, normalize=True), out)

        layers = [tok2vec, head(halves[0]), head(halves[1])]
        if target == "words":
            layers.append(HashEmbed(nO=hidden_size, nV=embedding_rows, seed=31))
        restarts = Restarts(vocab, restart_epochs, step_schedules) if restart_epochs or step_schedules else None
        model = ObjectiveModel(
            "pretrain_bilm",
            _forward_in_bf16 if bf16 else _forward,
            init=_init,
            layers=layers,
            refs={"tok2vec": tok2vec},
            attrs={"halves": halves, "target": target, "n_characters": n_characters, "bf16": bf16},
            shims=[restarts.shim] if restarts else [],
        )
        if restarts:
            model.attrs["restarts"] = restarts
        model.attrs["loss"] = _LOSSES[target]
        if bf16 or float32_in_torch:
            use_training_matmul(model, float32_in_torch=float32_in_torch)
            model.attrs["loss"] = _in_bf16(_LOSSES_GEMM[target]) if bf16 else _LOSSES_GEMM[target]
        return model

    return create_bilm_objective


class ObjectiveModel(Model):
    """The objective's root: Thinc's update, except that the optimizer keeps
    no parameter averages for the objective's own layers (heads and output
    embedding). spaCy saves only the tok2vec, under the averages
    (``model{N}.bin``), and a restart re-initialises the heads, so their
    averages were never read: the saved weights are the same, bit for bit
    (tested), without a pass over the output embedding (12.8M values) per step.
    A learning rate from ``spacy_lstm.warmup_linear_over_text.v1`` is set
    here, before each update, from the run's progress through its text
    (``spacy pretrain`` never advances schedules)."""

    __slots__ = ()

    def finish_update(self, optimizer) -> None:
        schedule = getattr(optimizer, "schedules", {}).get("learn_rate")
        if isinstance(schedule, WarmupLinearOverText):
            optimizer.learn_rate = next(schedule)
        if getattr(optimizer, "averages", None) is None:
            super().finish_update(optimizer)
        else:
            keys = {(node.id, name) for layer in self.layers[1:] for node in layer.walk()
                    for name in node.param_names}
            super().finish_update(WithoutAverages(optimizer, keys))


class WithoutAverages:
    """``optimizer``, keeping no averages for the parameters whose keys are
    in ``keys`` (Thinc's ``(node.id, name)``); everything else is the
    optimizer's own, and its attributes are read through."""

    def __init__(self, optimizer, keys) -> None:
        self.optimizer, self.keys = optimizer, keys

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        if key not in self.keys:
            return self.optimizer(key, weights, gradient, lr_scale=lr_scale)
        averages = self.optimizer.averages
        self.optimizer.averages = None
        try:
            return self.optimizer(key, weights, gradient, lr_scale=lr_scale)
        finally:
            self.optimizer.averages = averages

    def __getattr__(self, name):
        return getattr(self.optimizer, name)


def _in_bf16(function: Callable) -> Callable:
    """``function`` run inside :func:`training_in_bf16`."""

    def run(*args, **kwargs):
        with training_in_bf16():
            return function(*args, **kwargs)

    return run


def _forward_in_bf16(model: Model, docs: List[Doc], is_train: bool):
    with training_in_bf16(is_train):
        prediction, backprop = _forward(model, docs, is_train)
    return prediction, _in_bf16(backprop)


def _halves(tok2vec: Model) -> Tuple[int, int]:
    for node in language_model_layers(tok2vec)[-1].walk():
        if "halves" in node.attrs:
            return tuple(node.attrs["halves"])  # type: ignore[return-value]
    raise ValueError(
        "PretrainBiLM needs a tok2vec whose halves are language models (spacy_lstm.LSTMTok2Vec.v3 or "
        "spacy_lstm.LSTMEncoder.v2); this one reads both sides of every token. Set "
        "[components.tok2vec.model] @architectures = \"spacy_lstm.LSTMTok2Vec.v3\""
    )


def _init(model: Model, X: Optional[List[Doc]] = None, Y=None) -> None:
    """The heads (and the word embedding) have their shapes from the start;
    the tok2vec was initialised with the pipeline and keeps its weights."""
    for layer in model.layers[1:]:
        layer.initialize()


def language_model_layers(tok2vec: Model) -> List[Model]:
    """The layers of ``tok2vec`` the objective reads: its ref ``lm`` (v3:
    embedding + encoder), or everything up to its encoder (ref ``encode``).
    A layer after the encoder (v3's ``window_size``) mixes neighbours and is
    trained on the task only."""
    if tok2vec.has_ref("lm") and tok2vec.get_ref("lm") is not tok2vec:
        tok2vec = tok2vec.get_ref("lm")
    if tok2vec.has_ref("encode"):
        encode = tok2vec.get_ref("encode")
        for i, layer in enumerate(tok2vec.layers):
            if layer is encode:
                return tok2vec.layers[: i + 1]
    return [tok2vec]


def _run_layers(layers: List[Model], X, is_train: bool):
    backprops = []
    for layer in layers:
        X, backprop = layer(X, is_train)
        backprops.append(backprop)

    def backprop_all(dY):
        for backprop in reversed(backprops):
            dY = backprop(dY)
        return dY

    return X, backprop_all


def _forward(model: Model, docs: List[Doc], is_train: bool):
    if is_train and "restarts" in model.attrs:
        model.attrs["restarts"].before_batch(model)
    tok2vec, forward_head, backward_head = model.layers[:3]
    ops = model.ops
    Ys, backprop_tok2vec = _run_layers(language_model_layers(tok2vec), docs, is_train)
    lengths = [len(y) for y in Ys]
    Y = ops.flatten(Ys) if Ys else ops.alloc2f(0, tok2vec.get_dim("nO"))
    split = model.attrs["halves"][0]
    forward_rows, backward_rows = neighbour_pairs(lengths)
    forward_rows_x = ops.asarray1i(forward_rows)
    backward_rows_x = ops.asarray1i(backward_rows)
    Hf, backprop_f = forward_head(Y[forward_rows_x, :split], is_train)
    Hb, backprop_b = backward_head(Y[backward_rows_x, split:], is_train)
    targets = (forward_rows + 1, backward_rows - 1)
    E = backprop_e = inverse = None
    if len(model.layers) > 3:  # words: embed the distinct neighbours of the batch
        norms = numpy.concatenate([doc.to_array([NORM]).ravel() for doc in docs]) if docs else numpy.zeros(0, "uint64")
        wanted = numpy.concatenate(targets)
        distinct, inverse = numpy.unique(norms[wanted], return_inverse=True)
        E, backprop_e = model.layers[3](ops.asarray(distinct, dtype="uint64"), is_train)

    def backprop(gradients):
        dHf, dHb, dE = gradients
        dY = ops.alloc2f(*Y.shape)
        dY[forward_rows_x, :split] = backprop_f(dHf)
        dY[backward_rows_x, split:] = backprop_b(dHb)
        if dE is not None:
            backprop_e(dE)
        return backprop_tok2vec(ops.unflatten(dY, lengths))

    return (Hf, Hb, targets, E, inverse), backprop


def _numpy_matmul(a, b, trans1: bool = False, trans2: bool = False):
    return (a.T if trans1 else a) @ (b.T if trans2 else b)


def _words_loss(ops, docs: List[Doc], prediction) -> Tuple[float, tuple]:
    """In-batch softmax over the batch's distinct neighbours (v1: numpy's matmul)."""
    return _softmax_loss(ops, prediction, _numpy_matmul)


def _words_loss_gemm(ops, docs: List[Doc], prediction) -> Tuple[float, tuple]:
    """:func:`_words_loss` with its three matrix products through ``ops.gemm``
    (bfloat16 inside training_in_bf16, with MatmulOps)."""
    return _softmax_loss(ops, prediction, ops.gemm)


def _softmax_loss(ops, prediction, matmul: Callable) -> Tuple[float, tuple]:
    Hf, Hb, targets, E, inverse = prediction
    n_forward = Hf.shape[0]
    H = ops.xp.vstack([Hf, Hb])
    if H.shape[0] == 0:
        return 0.0, (Hf, Hb, ops.alloc2f(*E.shape))
    logits = matmul(H, E, trans2=True)
    logits -= logits.max(axis=1, keepdims=True)
    probs = ops.xp.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    gold = ops.asarray1i(inverse)
    rows = ops.xp.arange(H.shape[0])
    loss = float(-ops.xp.log(probs[rows, gold] + 1e-12).sum() / H.shape[0])
    d_logits = probs
    d_logits[rows, gold] -= 1.0
    d_logits /= H.shape[0]
    dH = matmul(d_logits, E)
    dE = matmul(d_logits, H, trans1=True)
    return loss, (dH[:n_forward], dH[n_forward:], dE)


_COSINE = CosineDistance(normalize=True, ignore_zeros=True)


def _per_direction(prediction, direction_loss) -> Tuple[float, tuple]:
    """Sum ``direction_loss(H, target_rows) -> (loss, dH)`` over both halves."""
    Hf, Hb, targets, _, _ = prediction
    loss = 0.0
    grads = []
    for H, rows in zip((Hf, Hb), targets):
        if H.shape[0] == 0:
            grads.append(H)
            continue
        part, d_H = direction_loss(H, rows)
        loss += part
        grads.append(d_H)
    return loss, (grads[0], grads[1], None)


def _vectors_loss(ops, docs: List[Doc], prediction) -> Tuple[float, tuple]:
    keys = numpy.concatenate([doc.to_array([ORTH]).ravel() for doc in docs])
    table = ops.asarray2f(docs[0].vocab.vectors.get_batch(keys)) if len(keys) else None

    def cosine(H, rows):
        d_H, loss = _COSINE(H, ops.as_contig(table[ops.asarray1i(rows)]))
        return float(loss), d_H

    return _per_direction(prediction, cosine)


def _characters_loss(ops, docs: List[Doc], prediction) -> Tuple[float, tuple]:
    n_char = prediction[0].shape[1] // 256
    ids = [doc.to_utf8_array(nr_char=n_char) for doc in docs if len(doc)]

    def squared_error(H, rows):
        gold = to_categorical(numpy.vstack(ids)[rows].reshape((-1,)), n_classes=256)
        diff = H - ops.asarray(gold, dtype="f").reshape((-1, 256 * n_char))
        return float((diff**2).sum()), diff / float(H.shape[0])

    return _per_direction(prediction, squared_error)


_LOSSES = {"words": _words_loss, "vectors": _vectors_loss, "characters": _characters_loss}
_LOSSES_GEMM = {**_LOSSES, "words": _words_loss_gemm}


def bilm_model_halves(model: Optional[Model]) -> Optional[Tuple[int, int]]:
    """The (forward, backward) output widths of a tok2vec that has them."""
    if model is None:
        return None
    try:
        return _halves(model)
    except ValueError:
        return None
