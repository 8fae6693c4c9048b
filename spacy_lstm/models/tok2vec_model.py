"""The model object every ``spacy_lstm`` tok2vec returns.

It is Thinc's ``chain(embed, word_dropout, encode)`` (the same nodes, the
same forward pass and the same serialized bytes as before), with three
additions:

* the references ``embed`` and ``encode`` (v3 also ``lm``, and ``refine`` for a layer after the encoder), as spaCy's ``build_Tok2Vec_model``
  sets them, so ``model.get_ref("embed")`` and ``[pretraining] layer`` work;
* ``copy()`` keeps the class, the references and the nodes' :class:`~spacy_lstm.layers.matmul_ops.MatmulOps`
  (Thinc's copy drops all three: a copy, e.g. by spaCy's ``replace_listeners``,
  predicted its products in blis);
* loading weights that are truncated or were saved by another architecture
  fails with one sentence naming the architecture and the file to check,
  instead of msgpack's bare "Unpack failed: incomplete input";
* a prediction (``is_train`` false) runs inside
  :func:`~spacy_lstm.modules.precision.prediction_pass`: where the LSTMs
  predict in bfloat16, the Thinc layers' float32 matrix products then run in
  torch (:func:`~spacy_lstm.layers.matmul_ops.use_prediction_matmul`), and
  a batch of more than :data:`PREDICT_MAX_TOKENS` tokens runs as
  consecutive sub-batches of at most that many (docs whole, in order), so
  its memory is bounded by design whatever the batch.
"""
import warnings
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

from spacy.tokens import Doc
from thinc.api import Model, Shim, chain
from thinc.types import Floats2d

from ..layers.frozen import WEIGHTS_LOADED, frozen
from ..layers.matmul_ops import MatmulOps, use_prediction_matmul
from ..modules.precision import prediction_pass


#: Set by the pretraining objective on the tok2vec it trains, so the saved
#: weights say where they come from; removed (and announced) when loaded.
PRETRAINED_MARK = "spacy_lstm_pretrained"


#: A bfloat16 prediction's sub-batch size in tokens (a longer doc runs
#: alone). A tok2vec's temporaries grow with the tokens of the batch: about
#: 17 KB a token for ud.cfg's (the mixer's maxout pieces, the LSTMs' gates),
#: +385 MB for one nlp.pipe batch of the raw file's 64 longest lines (22,748
#: tokens; AVX2 EPYC, fp32), and the peak RSS of a corpus run is its largest
#: batch's. bf16 outputs already depend on the batch within bf16's rounding
#: (its grids), so splitting changes nothing beyond it; float32 prediction
#: runs whole batches, bit for bit as before.
PREDICT_MAX_TOKENS = 8192


#: ``attrs`` key: the learning-rate multiplier of the ``lm`` ref's weights.
LM_LEARN_RATE_SCALE = "lm_learn_rate_scale"


_WARNED_NOT_PRETRAINED: set = set()  # ids of the models that said so once


class ScaledOptimizer:
    """An optimizer that calls another with ``lr_scale`` multiplied by
    ``scale`` for the parameters whose keys are in ``keys`` (the keys Thinc
    passes: ``(node.id, name)``, and ``(shim.id, name)`` for a PyTorch
    shim's parameters), and unchanged for the rest."""

    def __init__(self, optimizer, scale: float, keys: Set[Tuple[int, str]]) -> None:
        self.optimizer, self.scale, self.keys = optimizer, scale, keys

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        if key in self.keys:
            lr_scale *= self.scale
        return self.optimizer(key, weights, gradient, lr_scale=lr_scale)

    def __getattr__(self, name):
        return getattr(self.optimizer, name)


class Tok2VecModel(Model):
    """``chain(embed, word_dropout, encode)`` with refs and readable load errors."""

    __slots__ = ()

    def __call__(self, X, is_train: bool = False):
        # A batch whose docs have no tokens at all (``nlp("")`` outside the
        # tok2vec component, which guards itself) gives (0, width) arrays;
        # spaCy's CharacterEmbed cannot embed an empty batch.
        if X and not any(len(doc) for doc in X):
            width = self.get_dim("nO")
            return [self.ops.alloc2f(0, width) for _ in X], lambda dY: []
        if not is_train:
            with prediction_pass():
                if (isinstance(self.ops, MatmulOps) and self.ops.predict_in_torch
                        and sum(len(doc) for doc in X) > PREDICT_MAX_TOKENS):
                    # bfloat16 prediction: bounded sub-batches (see PREDICT_MAX_TOKENS)
                    Y: List[Floats2d] = []
                    for part in token_bounded(X, PREDICT_MAX_TOKENS):
                        Y.extend(super().__call__(part, is_train=False)[0])
                    return Y, lambda dY: []
                return super().__call__(X, is_train=False)
        return super().__call__(X, is_train=is_train)

    def predict(self, X):
        return self(X, is_train=False)[0]

    def begin_update(self, X):
        return self(X, is_train=True)

    def from_bytes(self, bytes_data: bytes) -> "Tok2VecModel":
        if not bytes_data:
            raise ValueError(
                f"spacy_lstm tok2vec ({self.name}): cannot load the saved weights: the file is empty (0 bytes); "
                "the run that wrote it was probably cut short (a full disk, a kill). Use an earlier checkpoint "
                "(spacy pretrain's model<N>.bin) or write it again."
            )
        try:
            super().from_bytes(bytes_data)
        except Exception as err:  # msgpack, zlib and shape errors have many types
            raise ValueError(
                f"spacy_lstm tok2vec ({self.name}): cannot load the saved weights (the tok2vec component's `model` file, "
                f"or the `model` file of a component that embeds this tok2vec): {err}. The file is "
                "truncated or corrupt, or was saved with other settings; copy the pipeline again or retrain it."
            ) from err
        for node in self.walk():
            if isinstance(node, Tok2VecModel):
                node.attrs[WEIGHTS_LOADED] = True
        origin = self.attrs.get(PRETRAINED_MARK)
        if origin is not None:
            # weights written by `spacy pretrain` (init_tok2vec): say so, then
            # drop the mark so the trained pipeline does not carry it
            del self.attrs[PRETRAINED_MARK]
            from wasabi import msg

            msg.info(f"Loaded pretrained tok2vec weights ({origin})")
        return self

    def initialize(self, X=None, Y=None) -> "Tok2VecModel":
        """Fail with one line when static vectors are wanted but the pipeline has none."""
        docs = X if X else []
        if docs and any(node.name == "static_vectors" for node in self.walk()):
            vectors = docs[0].vocab.vectors
            if vectors.shape[0] == 0 or vectors.shape[1] == 0:
                raise ValueError(
                    "spacy_lstm tok2vec: include_static_vectors = true, but the pipeline has no vectors; "
                    "set [initialize] vectors (e.g. --paths.vectors DIR) or set "
                    "[components.tok2vec.model] include_static_vectors = false"
                )
        return super().initialize(X=X, Y=Y)

    def finish_update(self, optimizer) -> None:
        """Thinc's update, with the pretrained part (ref ``lm``) learning at
        ``attrs["lm_learn_rate_scale"]`` times the optimizer's rate
        (ULMFiT's discriminative fine-tuning; 1.0, the default, is Thinc's
        own update). Weights that were never loaded (no ``init_tok2vec``)
        are not pretrained: they learn at the full rate, and a warning says
        so once."""
        scale = self.attrs.get(LM_LEARN_RATE_SCALE, 1.0)
        if scale == 1.0 or not self.has_ref("lm"):
            return super().finish_update(optimizer)
        if not self.get_ref("lm").attrs.get(WEIGHTS_LOADED):
            if self.id not in _WARNED_NOT_PRETRAINED:
                _WARNED_NOT_PRETRAINED.add(self.id)
                warnings.warn(f"spacy_lstm tok2vec: lm_learn_rate_scale = {scale} ignored: no pretrained weights "
                              "were loaded (set [initialize] init_tok2vec), so the language model learns at the "
                              "full rate", UserWarning, stacklevel=2)
            return super().finish_update(optimizer)
        lm_nodes = list(self.get_ref("lm").walk())
        keys = {(node.id, name) for node in lm_nodes for name in node.param_names}
        keys |= {(shim.id, name) for node in lm_nodes for shim in node.shims
                 for name, _ in shim._model.named_parameters()}
        return super().finish_update(ScaledOptimizer(optimizer, scale, keys))

    def _copy(self, seen: Optional[Dict[int, Union[Model, Shim]]] = None) -> "Tok2VecModel":
        # Thinc's Model._copy constructs a plain ``Model`` (the class is
        # written into it) and copies no refs; its params live in a server
        # keyed by the copy's node ids, so the copy cannot be rebuilt as a
        # new node here: it is given back its class, refs and ops instead
        seen = {} if seen is None else seen
        copied = super()._copy(seen)
        copied.__class__ = type(self)
        for original, twin in zip(self.walk(), copied.walk()):
            if isinstance(original.ops, MatmulOps) and original.name == twin.name:
                twin.ops = original.ops
        for name in self.ref_names:
            ref = self.get_ref(name)
            copied.set_ref(name, copied if ref is self else seen.get(id(ref), ref))
        return copied


def token_bounded(docs: List[Doc], max_tokens: int) -> Iterator[List[Doc]]:
    """``docs`` in order, as consecutive lists of at most ``max_tokens``
    tokens each (a longer doc is a list of its own)."""
    part: List[Doc] = []
    tokens = 0
    for doc in docs:
        if part and tokens + len(doc) > max_tokens:
            yield part
            part, tokens = [], 0
        part.append(doc)
        tokens += len(doc)
    if part:
        yield part


def tok2vec_model(
    embed: Model[List[Doc], List[Floats2d]],
    word_dropout: Model[List[Floats2d], List[Floats2d]],
    encode: Model[List[Floats2d], List[Floats2d]],
    refine: Optional[Model[List[Floats2d], List[Floats2d]]] = None,
    freeze_lm: bool = False,
    lm_learn_rate_scale: float = 1.0,
    lm_ref: bool = True,
) -> Tok2VecModel:
    """The model of every ``spacy_lstm`` tok2vec, from its blocks.

    Its ref ``lm`` is ``chain(embed, word_dropout, encode)``, the part a
    language-model objective trains (``[pretraining] layer = "lm"``); with a
    ``refine`` block the tok2vec is ``chain(lm, refine)`` (refs ``lm``,
    ``refine``, ``embed``, ``encode``), otherwise ``lm`` itself. So
    pretrained weights are ``lm``'s whatever follows it, and one pretraining
    serves configs with and without ``refine``. With ``freeze_lm``, ``lm``
    runs inside :func:`~spacy_lstm.layers.frozen.frozen` and only ``refine``
    (and the task heads) learn. ``lm_ref = False`` (``LSTMTok2Vec.v1/.v2``,
    whose saved bytes list their refs) leaves the ref ``lm`` out when it
    would be the model itself.

    Why a subclass and not a wrapper node: Thinc calls ``from_bytes`` and
    ``finish_update`` on the root model, so the readable load errors and the
    ``lm`` learning rate must be methods of the root itself; a node around
    the chain would add a node to the saved bytes, and pipelines saved
    before would no longer load (tests/test_released_names.py). The chain is
    Thinc's own forward and init, in a node of this class built by
    :func:`_as_tok2vec` (the one place).
    """
    width = encode.get_dim("nO")
    lm = _as_tok2vec(chain(embed, word_dropout, encode), [("embed", embed), ("encode", encode)], width)
    if refine is None and not freeze_lm:
        if lm_ref:
            lm.set_ref("lm", lm)
        model = lm
    else:
        head = frozen(lm) if freeze_lm else lm
        refs = [("lm", lm), ("refine", refine), ("embed", embed), ("encode", encode)]
        model = _as_tok2vec(head if refine is None else chain(head, refine), refs, width)
    if lm_learn_rate_scale != 1.0:
        model.attrs[LM_LEARN_RATE_SCALE] = lm_learn_rate_scale
    if _lstms_predict_in_bf16(model):
        # predictions are not float32-exact anyway: the mixer's and the static
        # vectors' products run in torch too (float32, torch's threads)
        use_prediction_matmul(model)
    return model


def _lstms_predict_in_bf16(model: Model) -> bool:
    """Whether a torch module of ``model`` predicts in bfloat16 (its
    ``inference_bf16``, resolved from ``inference_precision`` when built)."""
    return any(getattr(module, "inference_bf16", False)
               for node in model.walk() for shim in node.shims for module in shim._model.modules())


def _as_tok2vec(model: Model, refs: List[Tuple[str, Optional[Model]]], width: int) -> Tok2VecModel:
    """``model`` (a chain just built) as a :class:`Tok2VecModel`: a node with
    the chain's forward, init, layers and dims (so the same serialized
    bytes), with ``refs`` and ``nO``. The chain node itself is dropped."""
    dims = {name: model.maybe_get_dim(name) for name in model.dim_names}
    dims["nO"] = width
    return Tok2VecModel(model.name, model._func, init=model.init, dims=dims, layers=model.layers,
                        attrs=dict(model.attrs), refs={name: node for name, node in refs if node is not None})
