"""``spacy_lstm.Tok2Vec.v1``, a tok2vec from registered blocks, and the
released one-block architectures ``spacy_lstm.LSTMTok2Vec.v1``, ``.v2`` and
``.v3`` (token features + static vectors -> packed LSTM), each now a preset
of those blocks.

The blocks, each registered and usable on its own in a config:

* ``embed`` (``List[Doc] -> List[Floats2d]``): ``spacy_lstm.CompactEmbed.v1``
  or spaCy's ``spacy.MultiHashEmbed.v2``;
* ``encode`` (``List[Floats2d] -> List[Floats2d]``): ``spacy_lstm.LSTMEncoder.v1``
  (a BiLSTM) or ``.v2`` (two language-model stacks, pretrainable);
* ``refine`` (optional, same types): ``spacy_lstm.Refine.v1``, trained on the
  task only, after a pretrained encoder.
"""
import inspect
from typing import Any, Dict, List, Optional, Union

from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import SimpleFrozenDict, registry
from thinc.api import Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from ..layers.char_embed import CharacterEmbed
from ..layers.compact_embed import CompactEmbed, default_attr_widths
from ..layers.lstm_encoder import LSTMEncoder, LSTMEncoder_v2, LSTMEncoder_v3, resolve_hidden_size
from ..layers.refine import Refine
from ..layers.settings import bind_settings, setting
from ..layers.word_dropout import word_dropout
from .tok2vec_model import tok2vec_model

CALAMANCY_ATTRS = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
CALAMANCY_ROWS = [5000, 1000, 2500, 2500]


@registry.architectures("spacy_lstm.Tok2Vec.v1")
def Tok2Vec(
    embed: Model[List[Doc], List[Floats2d]],
    encode: Model[List[Floats2d], List[Floats2d]],
    refine: Optional[Model[List[Floats2d], List[Floats2d]]] = None,
    word_dropout_rate: float = 0.05,
    freeze_lm: bool = False,
    lm_learn_rate_scale: float = 1.0,
    word_dropout_from_training: bool = False,
) -> Model[List[Doc], List[Floats2d]]:
    """A tok2vec assembled from blocks, as spaCy's ``spacy.Tok2Vec.v2``:
    ``embed``, word dropout, ``encode`` and, optionally, ``refine``. The
    part up to ``encode`` is the ref ``lm``: what ``spacy pretrain`` trains
    with ``[pretraining] layer = "lm"`` (needs an encoder whose halves are
    language models, ``spacy_lstm.LSTMEncoder.v2``).

    embed (Model[List[Doc], List[Floats2d]]): Embeds each token, output as
        wide as ``encode``'s input. ``spacy_lstm.CompactEmbed.v1``.
    encode (Model[List[Floats2d], List[Floats2d]]): Contextualises the
        embeddings; its ``nO`` is the tok2vec's width.
        ``spacy_lstm.LSTMEncoder.v1`` or ``.v2``.
    refine (Optional[Model[List[Floats2d], List[Floats2d]]]): Layers after
        the encoder, trained on the task only. ``spacy_lstm.Refine.v1``;
        None (default): none.
    word_dropout_rate (float): Probability of zeroing a token's whole
        embedding while training, [0, 1). 0-0.15.
    freeze_lm (bool): Keep the ``lm`` part fixed (see ``LSTMTok2Vec.v3``).
    lm_learn_rate_scale (float): Learning rate of the ``lm`` part as a
        multiple of the optimizer's (see ``LSTMTok2Vec.v3``). 0.1-1.0.
    word_dropout_from_training (bool): Word dropout follows spaCy's
        ``[training] dropout`` (its rate is set on every update, as for
        Thinc's ``Dropout``; ``word_dropout_rate`` until then) instead of
        staying at ``word_dropout_rate`` (the default).
    """
    return tok2vec_model(embed, word_dropout(word_dropout_rate, word_dropout_from_training), encode, refine,
                         freeze_lm=freeze_lm, lm_learn_rate_scale=lm_learn_rate_scale)


@registry.architectures("spacy_lstm.LSTMTok2Vec.v1")
def LSTMTok2Vec(
    width: int = 256,
    depth: int = 2,
    dropout: float = 0.1,
    word_dropout_rate: float = 0.05,
    include_static_vectors: bool = True,
    attrs: List[Union[str, int]] = CALAMANCY_ATTRS,
    rows: List[int] = CALAMANCY_ROWS,
    char_width: int = 0,
    char_count: int = 8,
    bidirectional: bool = True,
    hidden_size: Optional[int] = None,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
) -> Model[List[Doc], List[Floats2d]]:
    """A complete tok2vec: embed each token, then contextualise with
    ``spacy_lstm.LSTMEncoder.v1``. Use it as the model of a ``tok2vec`` component
    (shared through listeners) or directly as a component's ``tok2vec``.

    The embedding is spaCy's ``MultiHashEmbed``: one hash-embedding table per
    lexical attribute plus, optionally, the pipeline's static vectors
    (``nlp.vocab.vectors``, word or floret mode), mixed down to ``width`` by a
    Maxout layer with LayerNorm, followed by a dropout layer. The defaults are
    calamanCy md's embedding.

    Dropout, three kinds:
    * spaCy's ``[training] dropout`` sets the rate of the dropout after the
      embedding mixer (the Thinc ``Dropout`` inside MultiHashEmbed), and nothing
      else here: it never reaches inside the PyTorch module.
    * ``dropout`` is the rate inside the LSTM stack (see LSTMEncoder).
    * ``word_dropout_rate`` zeroes whole token vectors while training.

    width (int): Width of the embedding and of the encoder output. 128-512.
    depth (int): Number of LSTM layers. 1-3; 2 is a good default.
    dropout (float): Dropout inside the LSTM stack, [0, 1). 0.1-0.3.
    word_dropout_rate (float): Probability of zeroing a token's whole embedding
        while training, [0, 1). 0-0.15.
    include_static_vectors (bool): Concatenate the static vectors of
        ``nlp.vocab.vectors`` into the embedding. Needs ``[initialize] vectors``.
    attrs (List[str]): Token attributes to hash-embed (NORM, PREFIX, SUFFIX,
        SHAPE, LOWER, ...).
    rows (List[int]): Rows of each attribute's hash table; same length as attrs.
        1000-10000 each.
    char_width (int): Width of each character embedding; 0 (default) disables
        character features. 8-32 when enabled.
    char_count (int): How many characters per word to embed when char_width > 0
        (half from the start of the word, half from the end). 4-10.
    bidirectional (bool): See LSTMEncoder.
    hidden_size (Optional[int]): See LSTMEncoder.
    mixed_precision (bool): See LSTMEncoder.
    grad_scaler_config (dict): See LSTMEncoder.
    inference_precision (str): "fp32" (default), "bf16" or "auto"; see LSTMEncoder.
    """
    if len(attrs) != len(rows):
        raise ValueError(
            f"LSTMTok2Vec: attrs has {len(attrs)} entries but rows has {len(rows)}; "
            "give one hash-table size per attribute."
        )
    if char_width < 0 or char_count < 1:
        raise ValueError(
            f"LSTMTok2Vec: char_width must be >= 0 and char_count >= 1, "
            f"got {char_width} and {char_count}"
        )
    encoder = LSTMEncoder(width, depth, dropout, bidirectional, hidden_size, mixed_precision, grad_scaler_config,
                          inference_precision)
    embed = MultiHashEmbed(
        width=width,
        attrs=attrs,
        rows=rows,
        include_static_vectors=include_static_vectors,
    )
    if char_width:
        embed = chain(
            concatenate(embed, CharacterEmbed(nM=char_width, nC=char_count)),
            with_array(Maxout(width, nP=2, normalize=True)),
        )
    # the v1/v2 bytes list their refs, and they had no ref "lm"
    return tok2vec_model(embed, word_dropout(word_dropout_rate), encoder, lm_ref=False)


@registry.architectures("spacy_lstm.LSTMTok2Vec.v2")
def LSTMTok2Vec_v2(*args: Any, **kwargs: Any) -> Model[List[Doc], List[Floats2d]]:
    """A complete tok2vec: ``spacy_lstm.CompactEmbed.v1`` (narrow hash tables,
    projected static vectors and character features, mixed once), word
    dropout, then ``spacy_lstm.LSTMEncoder.v1``. The defaults are the settings
    tuned on Tagalog UD in docs/benchmarks.md.

    What changed from v1: one embedding mixer of about a third of the
    multiply-adds (v1 mixes MultiHashEmbed's 5 x width inputs into 3 pieces,
    then mixes again when character features are on), and tuned defaults
    (hidden_size = width per direction, dropout 0.2 inside the LSTM stack,
    character features on).

    Dropout, three kinds (as in v1): spaCy's ``[training] dropout`` sets the
    rate after the embedding mixer; ``dropout`` is the rate inside the LSTM
    stack; ``word_dropout_rate`` zeroes whole token vectors while training.

    width (int): Width of the embedding and of the encoder output. 128-512.
    depth (int): Number of LSTM layers. 1-3.
    hidden_size (Optional[int]): LSTM units per direction; None (default) =
        width, so a BiLSTM layer gives 2 x width, projected back to width.
        128-512.
    dropout (float): Dropout inside the LSTM stack, [0, 1). 0.1-0.3.
    word_dropout_rate (float): Probability of zeroing a token's whole embedding
        while training, [0, 1). 0-0.15.
    include_static_vectors (bool): Use the static vectors of
        ``nlp.vocab.vectors``. Needs ``[initialize] vectors``.
    attrs (List[str]): Token attributes to hash-embed.
    rows (List[int]): Rows of each attribute's table. 1000-10000 each.
    attr_widths (Optional[List[int]]): Width of each attribute's table; None
        gives the first attribute width // 2 and each other width // 4.
    vectors_width (int): Width the static vectors are projected to. 64-256.
    char_width (int): Width of each character embedding; 0 disables
        character features. 8-32.
    char_count (int): Characters per word embedded (half from each end). 4-10.
    maxout_pieces (int): Maxout pieces of the embedding mixer. 2-3.
    window_size (int): See CompactEmbed: > 0 adds one residual Maxout window
        layer after the mixer (local context from the first step). 0-1.
    bidirectional, mixed_precision, grad_scaler_config, inference_precision: See LSTMEncoder.
    """
    s = bind_settings(LSTMTok2Vec_v2, args, kwargs)
    embed = _compact_embed(s.width, s.attrs, s.rows, s.attr_widths, s.include_static_vectors, s.vectors_width,
                           s.char_width, s.char_count, s.maxout_pieces, s.window_size)
    encoder = LSTMEncoder(s.width, s.depth, s.dropout, s.bidirectional, resolve_hidden_size(s.width, s.hidden_size),
                          s.mixed_precision, s.grad_scaler_config, s.inference_precision)
    # the v1/v2 bytes list their refs, and they had no ref "lm"
    return tok2vec_model(embed, word_dropout(s.word_dropout_rate), encoder, lm_ref=False)


def _compact_embed(
    width: int,
    attrs: List[Union[str, int]],
    rows: List[int],
    attr_widths: Optional[List[int]],
    include_static_vectors: bool,
    vectors_width: int,
    char_width: int,
    char_count: int,
    maxout_pieces: int,
    window_size: int,
) -> Model[List[Doc], List[Floats2d]]:
    """CompactEmbed with the tok2vecs' default table widths."""
    widths = default_attr_widths(width, len(attrs)) if attr_widths is None else attr_widths
    return CompactEmbed(width, attrs, rows, widths, include_static_vectors, vectors_width, char_width, char_count,
                        maxout_pieces, window_size)


@registry.architectures("spacy_lstm.LSTMTok2Vec.v3")
def LSTMTok2Vec_v3(
    width: int = 256,
    depth: int = 2,
    hidden_size: Optional[int] = None,
    dropout: float = 0.2,
    word_dropout_rate: float = 0.05,
    include_static_vectors: bool = True,
    attrs: List[Union[str, int]] = CALAMANCY_ATTRS,
    rows: List[int] = CALAMANCY_ROWS,
    attr_widths: Optional[List[int]] = None,
    vectors_width: int = 128,
    char_width: int = 32,
    char_count: int = 8,
    maxout_pieces: int = 2,
    window_size: int = 0,
    refine_depth: int = 0,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
    freeze_lm: bool = False,
    lm_learn_rate_scale: float = 1.0,
    refine_hidden_size: Optional[int] = None,
    _dropout_from_training: bool = False,
) -> Model[List[Doc], List[Floats2d]]:
    """A tok2vec that can be pretrained as a language model on raw text:
    ``spacy_lstm.CompactEmbed.v1`` (per token, no window), word dropout, then
    ``spacy_lstm.LSTMEncoder.v2`` (separate forward and backward stacks).

    The whole model keeps the no-peeking property: the first
    ``ceil(width / 2)`` output columns at token t are a function of tokens
    0..t only and the last ``width // 2`` of tokens t..n-1 only (tested
    exactly), so ``spacy_lstm.PretrainBiLM.v1`` can train it with spaCy's
    ``spacy pretrain`` by predicting each token's neighbours, and the weights
    go into a task pipeline through ``[initialize] init_tok2vec``. So the
    embedding has no window layer (it would show the forward half the next
    token); ``window_size`` > 0 instead adds a residual Maxout window layer
    *after* the encoder (ref ``refine``), outside the part pretrained (ref
    ``lm``; use ``[pretraining] layer = "lm"``): it gives a small labelled set explicit neighbours (NER)
    on top of the pretrained context. See docs/benchmarks.md for how v3
    compares with v2, with and without pretraining.

    width (int): Width of the embedding and of the output. 128-512.
    depth (int): LSTM layers per direction. 1-3.
    hidden_size (Optional[int]): LSTM units per direction; None = width. 128-512.
    dropout (float): Dropout inside the LSTM stacks, [0, 1). 0.1-0.3.
    word_dropout_rate (float): Probability of zeroing a token's whole
        embedding while training, [0, 1). 0-0.15.
    include_static_vectors (bool): Use the static vectors of
        ``nlp.vocab.vectors``. Needs ``[initialize] vectors``.
    attrs, rows, attr_widths, vectors_width, char_width, char_count,
        maxout_pieces: The embedding, as in ``LSTMTok2Vec.v2``.
    window_size (int): > 0 adds a residual Maxout layer over each token's
        output and its ``window_size`` neighbours after the encoder. 0-1.
    refine_depth (int): > 0 adds that many bidirectional LSTM layers
        (``LSTMEncoder.v1``, ``refine_hidden_size`` units) after the encoder, where
        the two directions meet again; trained on the task only (ELMo's
        task-specific BiLSTM over pretrained features). 0-1.
    refine_hidden_size (Optional[int]): LSTM units per direction of the
        ``refine_depth`` layers; None (default) = width. 128-512; a smaller
        one costs less at batch 1, where the LSTMs' sequential steps
        dominate (see docs/benchmarks.md).
    mixed_precision, grad_scaler_config, inference_precision: See LSTMEncoder.
    freeze_lm (bool): Keep the pretrained part (ref ``lm``: embedding, word
        dropout, encoder) fixed while training on the task: it runs without
        dropout and gets no gradient; only ``refine`` and the heads learn
        (ELMo's frozen biLM). Needs pretrained weights (``[initialize]
        init_tok2vec``); training fails with one line without them. Best for
        very small labelled sets (NER on a few hundred snippets); see
        docs/benchmarks.md. Default false (the weights are fine-tuned).
    lm_learn_rate_scale (float): The learning rate of the pretrained part
        (ref ``lm``) as a multiple of the optimizer's (ULMFiT's
        discriminative fine-tuning: pretrained weights move less than the
        new ones). 1.0 (default) trains every weight alike; 0.1-0.5 keeps
        more of what pretraining learned (configs/ud.cfg: 0.3, +1.0 LAS
        over 1.0 on 3 seeds, see docs/benchmarks.md). Ignored with
        ``freeze_lm``, and (with a warning) when no pretrained weights were
        loaded.
    """
    if window_size < 0 or refine_depth < 0:
        raise ValueError(
            f"LSTMTok2Vec.v3: window_size and refine_depth must be >= 0, got {window_size} and {refine_depth}"
        )
    if refine_hidden_size is not None and refine_hidden_size < 1:
        raise ValueError(f"LSTMTok2Vec.v3: refine_hidden_size must be >= 1 or null, got {refine_hidden_size}")
    # v2's embedding without its window layer (which would show the forward half the next token)
    embed = _compact_embed(width, attrs, rows, attr_widths, include_static_vectors, vectors_width, char_width,
                           char_count, maxout_pieces, 0)
    if _dropout_from_training:
        encoder = LSTMEncoder_v3(width, depth, dropout, True, True, hidden_size, mixed_precision, grad_scaler_config,
                                 inference_precision)
    else:
        encoder = LSTMEncoder_v2(width, depth, dropout, hidden_size, mixed_precision, grad_scaler_config,
                                 inference_precision)
    refine = None
    if refine_depth or window_size:
        refine = Refine(width, refine_depth, refine_hidden_size, dropout, window_size, maxout_pieces,
                        mixed_precision, grad_scaler_config, inference_precision, _dropout_from_training)
    return Tok2Vec(embed, encoder, refine, word_dropout_rate, freeze_lm, lm_learn_rate_scale,
                   _dropout_from_training)


def LSTMTok2Vec_v4(**settings: Any) -> Model[List[Doc], List[Floats2d]]:
    """``spacy_lstm.LSTMTok2Vec.v3`` (the same settings, names, defaults and
    ranges: see its docstring) whose dropouts follow spaCy: the dropout
    inside the LSTM stacks (``LSTMEncoder.v3``, and ``Refine.v1``'s layers)
    and word dropout are set by ``[training] dropout`` and
    ``nlp.update(drop=...)`` on every update, as every Thinc ``Dropout``
    layer is, so ``drop=0`` trains without dropout and one setting governs
    them all. ``dropout`` and ``word_dropout_rate`` are the rates until
    spaCy sets one (``spacy train`` does on every update). The weights and
    their bytes have the shape of v3's but for one ``dropout`` node more per
    encoder, so pretrained weights are not shared between the two.
    """
    if "_dropout_from_training" in settings:
        raise TypeError("LSTMTok2Vec.v4: unexpected setting _dropout_from_training")
    return LSTMTok2Vec_v3(_dropout_from_training=True, **settings)


# The presets' settings are written once, in v3's signature (which spaCy's
# config validation and help() read through ``__signature__``). v4's are v3's;
# the private switch between them is not a setting of either. v2's are v3's
# up to window_size, then its own ``bidirectional``, then the precision
# settings (tests/released/signatures.json pins all three as released).
_SETTINGS = inspect.signature(LSTMTok2Vec_v3)
_SETTINGS = _SETTINGS.replace(parameters=[p for p in _SETTINGS.parameters.values() if not p.name.startswith("_")])
LSTMTok2Vec_v3.__signature__ = _SETTINGS  # type: ignore[attr-defined]
LSTMTok2Vec_v4.__signature__ = _SETTINGS  # type: ignore[attr-defined]
_V3 = list(_SETTINGS.parameters.values())
_V3_NAMES = list(_SETTINGS.parameters)
LSTMTok2Vec_v2.__signature__ = _SETTINGS.replace(  # type: ignore[attr-defined]
    parameters=_V3[: _V3_NAMES.index("window_size") + 1]
    + [setting("bidirectional", bool, True)]
    + [_SETTINGS.parameters[name] for name in ("mixed_precision", "grad_scaler_config", "inference_precision")]
)
registry.architectures.register("spacy_lstm.LSTMTok2Vec.v4", func=LSTMTok2Vec_v4)
