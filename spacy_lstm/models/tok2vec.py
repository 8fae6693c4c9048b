"""``spacy_lstm.LSTMTok2Vec.v1``, ``.v2`` and ``.v3``: token features + static vectors -> packed LSTM."""
from typing import Any, Dict, List, Optional, Union

from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import SimpleFrozenDict, registry
from thinc.api import Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d

from ..layers.char_embed import CharacterEmbed
from ..layers.compact_embed import CompactEmbed, default_attr_widths, residual_window
from ..layers.lstm_encoder import LSTMEncoder, LSTMEncoder_v2
from ..layers.word_dropout import word_dropout
from .tok2vec_model import assemble_tok2vec, with_language_model_ref

CALAMANCY_ATTRS = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
CALAMANCY_ROWS = [5000, 1000, 2500, 2500]


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
    encoder = LSTMEncoder(
        width=width,
        depth=depth,
        dropout=dropout,
        bidirectional=bidirectional,
        hidden_size=hidden_size,
        mixed_precision=mixed_precision,
        grad_scaler_config=grad_scaler_config,
        inference_precision=inference_precision,
    )
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
    return assemble_tok2vec(embed, word_dropout(word_dropout_rate), encoder, width)


@registry.architectures("spacy_lstm.LSTMTok2Vec.v2")
def LSTMTok2Vec_v2(
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
    bidirectional: bool = True,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
) -> Model[List[Doc], List[Floats2d]]:
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
    if hidden_size is None:
        hidden_size = width
    embed = _compact_embed(
        width, attrs, rows, attr_widths, include_static_vectors, vectors_width, char_width, char_count,
        maxout_pieces, window_size,
    )
    encoder = LSTMEncoder(
        width=width,
        depth=depth,
        dropout=dropout,
        bidirectional=bidirectional,
        hidden_size=hidden_size,
        mixed_precision=mixed_precision,
        grad_scaler_config=grad_scaler_config,
        inference_precision=inference_precision,
    )
    return assemble_tok2vec(embed, word_dropout(word_dropout_rate), encoder, width)


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
    return CompactEmbed(
        width=width,
        attrs=attrs,
        rows=rows,
        attr_widths=default_attr_widths(width, len(attrs)) if attr_widths is None else attr_widths,
        include_static_vectors=include_static_vectors,
        vectors_width=vectors_width,
        char_width=char_width,
        char_count=char_count,
        maxout_pieces=maxout_pieces,
        window_size=window_size,
    )


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
    embed = _compact_embed(
        width, attrs, rows, attr_widths, include_static_vectors, vectors_width, char_width, char_count,
        maxout_pieces, window_size=0,
    )
    encoder = LSTMEncoder_v2(
        width=width,
        depth=depth,
        dropout=dropout,
        hidden_size=hidden_size,
        mixed_precision=mixed_precision,
        grad_scaler_config=grad_scaler_config,
        inference_precision=inference_precision,
    )
    refiners: List[Model[List[Floats2d], List[Floats2d]]] = []
    if refine_depth:
        refine_hidden = width if refine_hidden_size is None else refine_hidden_size
        refiners.append(LSTMEncoder(width=width, depth=refine_depth, dropout=dropout, hidden_size=refine_hidden,
                                    mixed_precision=mixed_precision, grad_scaler_config=grad_scaler_config,
                                    inference_precision=inference_precision))
    if window_size:
        refiners.append(chain(list2ragged(), residual_window(width, window_size, maxout_pieces), ragged2list()))
    refine = None if not refiners else refiners[0] if len(refiners) == 1 else chain(*refiners)
    lm = assemble_tok2vec(embed, word_dropout(word_dropout_rate), encoder, width)
    return with_language_model_ref(lm, refine, width, freeze_lm=freeze_lm, lm_learn_rate_scale=lm_learn_rate_scale)
