"""A stack of packed LSTM layers with residual connections and LayerNorm."""
import enum
from typing import Optional

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .packing import PackingPlan, plan_packing
from .direct_lstm import lstm_one_sequence, lstm_one_sequence_rounded
from .padded_lstm import PREDICT_CHUNK, pad_rows, padded_lstm, plan_padding
from .precision import (bf16_copy, cpu_has_avx512, cpu_has_native_bf16, prediction_copy, run_in_bf16,
                        trains_in_bf16)
from .stepwise_lstm import packed_lstm_stepwise

#: CPU float32 training: the padded path (length buckets, a fused kernel per
#: bucket and direction) or the stepwise packed path (a Python loop over time
#: steps), whichever was faster on each CPU kind measured (docs/benchmarks.md,
#: "Pretraining speed"). With AVX-512, padded: 1.24x stepwise in the whole
#: ``spacy pretrain`` loop on 2 threads of an AVX-512 BF16 EPYC (0.93x on 1),
#: and faster on an AMX Xeon (BiLM stack alone: 1.4-1.6x). Without it (an
#: AVX2-only EPYC), stepwise on one thread (pretraining 1.20x, a UD task's
#: tok2vec 1.15x) and for batches of STEPWISE_MIN_ROWS rows or more on more
#: threads (pretraining's 3,000-word batches: 1.10x), padded for smaller
#: batches on more threads (UD's 1,000-word batches: padded 1.08x). Both
#: compute the same (tests compare them with the step-by-step oracle).
STEPWISE_MIN_ROWS = 2000

#: Set by tests: batches of more rows than this run stepwise, the others
#: padded, on any CPU; None (the default) chooses by the CPU as above.
PADDED_MAX_ROWS: Optional[int] = None


class Path(enum.Enum):
    """How a layer's LSTM runs on one batch; :func:`choose_path` picks it.

    * PACKED: 2+ docs, training on a GPU, or predicting on a GPU or in
      float32 on the CPU. nn.LSTM on a PackedSequence.
    * ONE_DOC: predicting one doc (``nlp(text)``) on a GPU or in float32 on
      the CPU. direct_lstm on the doc's own rows.
    * ONE_DOC_BF16: predicting one doc in bfloat16 (CPU). direct_lstm,
      padded to a rounded length; projections in float32.
    * PADDED_BF16: predicting 2+ docs in bfloat16 (CPU). padded_lstm on
      grids of rounded length, PREDICT_CHUNK sequences wide.
    * PADDED: float32 training on a CPU with AVX-512, or without it on
      2+ threads in batches under STEPWISE_MIN_ROWS rows (set by tests:
      up to PADDED_MAX_ROWS rows). padded_lstm, one length bucket at a time.
    * PADDED_AUTOCAST: PADDED inside ``precision.training_in_bf16`` (the
      pretraining objective's ``precision``), on a CPU with AMX or AVX-512
      BF16: under autocast. Elsewhere oneDNN has no bfloat16 LSTM, so the
      LSTMs train in float32 (PADDED).
    * STEPWISE: float32 training on a CPU without AVX-512, on one thread
      or in batches of STEPWISE_MIN_ROWS rows or more (set by tests: above
      PADDED_MAX_ROWS rows). stepwise_lstm, the Python loop over time
      steps; also the tests' second implementation.

    ``one_doc`` is never true while training. Why the
    CPU paths differ: nn.LSTM's packed CPU backward is quadratic (see
    stepwise_lstm.py), so CPU training pads by length bucket or steps
    through time itself, whichever this CPU kind runs faster; bfloat16
    prediction pads too, with its grids rounded to recurring shapes, so
    oneDNN builds a bounded set of kernels (packed bf16 built one per batch's
    shapes, and a corpus run grew by up to 1.5 GB), while float32 prediction
    keeps the packed path, bit for bit; one doc runs unpacked (PyTorch's
    packed-input path and nn.LSTM's per-call checks cost about 20 % more on
    one short sequence).
    """

    PACKED = "packed"
    ONE_DOC = "one_doc"
    ONE_DOC_BF16 = "one_doc_bf16"
    PADDED_BF16 = "padded_bf16"
    PADDED = "padded"
    PADDED_AUTOCAST = "padded_autocast"
    STEPWISE = "stepwise"


def choose_path(*, training: bool, cuda: bool, one_doc: bool, inference_bf16: bool, n_rows: int) -> Path:
    """The one place that decides how the LSTMs run (see :class:`Path`)."""
    if cuda:
        return Path.ONE_DOC if one_doc else Path.PACKED
    if training:
        # oneDNN has no bfloat16 LSTM without AMX or AVX-512 BF16 (it fails
        # to build the primitive): there the LSTMs train in float32
        if trains_in_bf16() and cpu_has_native_bf16() and (PADDED_MAX_ROWS is None or n_rows <= PADDED_MAX_ROWS):
            return Path.PADDED_AUTOCAST
        if PADDED_MAX_ROWS is None:
            if cpu_has_avx512() or (torch.get_num_threads() > 1 and n_rows < STEPWISE_MIN_ROWS):
                return Path.PADDED
            return Path.STEPWISE
        return Path.STEPWISE if n_rows > PADDED_MAX_ROWS else Path.PADDED
    if inference_bf16:
        return Path.ONE_DOC_BF16 if one_doc else Path.PADDED_BF16
    return Path.ONE_DOC if one_doc else Path.PACKED


class ResidualLSTM(nn.Module):
    """Stacked (Bi)LSTM over packed sequences, each layer wrapped as
    ``h = LayerNorm(h + Dropout(Project(LSTM(h))))``.

    Every layer is its own :class:`torch.nn.LSTM` (so PyTorch's fused
    oneDNN/cuDNN kernels run it); the residual, projection and LayerNorm act
    token by token on the packed rows, so the sequences are packed once per
    batch and never padded. ``Project`` is a linear map back to ``width`` when
    the LSTM's output size (``hidden_size`` times the number of directions)
    differs from ``width``, otherwise the identity.

    Input: ``X`` of shape ``(n_tokens, width)`` with the docs' tokens back to
    back, and ``lengths`` (one int per doc, summing to ``n_tokens``).
    Output: ``(n_tokens, width)`` in the same row order.

    ``inference_bf16``: predict on the CPU with the LSTMs and projections in
    bfloat16 (residual and LayerNorm stay float32); training and GPU work are
    unaffected. Not a weight: the architecture's ``inference_precision``.
    """

    def __init__(
        self,
        width: int,
        hidden_size: int,
        depth: int,
        bidirectional: bool = True,
        dropout: float = 0.0,
        inference_bf16: bool = False,
    ):
        super().__init__()
        self.width = width
        self.hidden_size = hidden_size
        self.depth = depth
        self.bidirectional = bidirectional
        n_out = hidden_size * (2 if bidirectional else 1)
        self.lstms = nn.ModuleList(
            nn.LSTM(width, hidden_size, bidirectional=bidirectional)
            for _ in range(depth)
        )
        self.projections = nn.ModuleList(
            nn.Identity() if n_out == width else nn.Linear(n_out, width)
            for _ in range(depth)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(width) for _ in range(depth))
        self.dropout = nn.Dropout(dropout)
        self.inference_bf16 = inference_bf16
        self._prediction_copies: dict = {}  # frozen copies of the LSTMs and projections, for prediction

    def forward(self, X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.run_planned(X, plan_packing(lengths, X.device))

    def run_planned(self, X: torch.Tensor, plan: PackingPlan) -> torch.Tensor:
        """:meth:`forward` with the packing plan of its lengths already made."""
        if plan.to_packed.numel() == 0:
            return X.new_zeros((0, self.width))
        training = torch.is_grad_enabled()
        one_doc = not training and int(plan.batch_sizes[0]) == 1
        path = choose_path(training=training, cuda=X.is_cuda, one_doc=one_doc,
                           inference_bf16=self.inference_bf16, n_rows=X.shape[0])
        if training:
            # thinc's optimizer updates the weights in place through numpy,
            # which torch's version counters do not see: a training pass
            # drops the prediction copies (loading weights bumps the counters)
            self.drop_prediction_copies()
        if path in (Path.ONE_DOC, Path.ONE_DOC_BF16):
            # one doc: packed order is the doc's own order
            return self._run_one_doc(X, path is Path.ONE_DOC_BF16)
        h = X.index_select(0, plan.to_packed)
        padding = None
        batch_sizes = plan.batch_sizes
        if path in (Path.PADDED, Path.PADDED_AUTOCAST, Path.PADDED_BF16, Path.STEPWISE):
            batch_sizes = plan.batch_sizes.tolist()
            if path is not Path.STEPWISE:
                padding = plan_padding(batch_sizes, h.device, PREDICT_CHUNK if path is Path.PADDED_BF16 else 0)
        for lstm, project, norm in zip(self.lstms, self.projections, self.norms):
            out = self._run_layer(path, lstm, project, h, batch_sizes, padding)
            h = norm(h + self.dropout(out))
        return h.index_select(0, plan.to_flat)

    def __getstate__(self) -> dict:
        # the prediction copies are a cache (their packed oneDNN weights can
        # be neither pickled nor deep-copied): a copy or pickle starts without
        state = super().__getstate__()  # a copy of __dict__
        state["_prediction_copies"] = {}
        return state

    def drop_prediction_copies(self) -> None:
        """Forget the prediction copies of the weights (made again when next
        needed): called by a training pass and after an optimizer step."""
        if self._prediction_copies:
            self._prediction_copies.clear()

    def _run_one_doc(self, h: torch.Tensor, bf16: bool) -> torch.Tensor:
        """Every layer over one doc's rows (prediction: no dropout). In
        bfloat16 only the LSTMs run in bf16 (padded to a rounded length);
        their projections, residuals and LayerNorms run in float32: on 23
        tokens a float32 projection of 256 to 128 columns took 20 us against
        36 us in bf16, and this loop, without the batch paths' bookkeeping,
        took 1.61 ms for ud.cfg's language-model stacks against 1.82 ms
        (AVX-512 BF16 EPYC, 2 threads). In float32: ``nn.LSTM``'s own result
        for the doc, bit for bit (tested), on the CPU from a frozen float32
        copy whose weights stay packed for oneDNN (AVX2 EPYC, 2 threads:
        ud.cfg's LSTMs over a 22-token doc 4.0 ms → 3.2 ms)."""
        for lstm, project, norm in zip(self.lstms, self.projections, self.norms):
            if bf16:
                out = lstm_one_sequence_rounded(bf16_copy(lstm, self._prediction_copies), h.bfloat16()).float()
            elif h.is_cuda:
                out = lstm_one_sequence(lstm, h)
            else:
                # a frozen float32 copy: its LSTM weights stay packed for oneDNN
                out = lstm_one_sequence(prediction_copy(lstm, self._prediction_copies, torch.float32), h)
            h = norm(h + self.dropout(project(out)))
        return h

    def _run_layer(self, path: Path, lstm: nn.LSTM, project: nn.Module, h: torch.Tensor, batch_sizes,
                   padding) -> torch.Tensor:
        """``Project(LSTM(h))`` of one layer along ``path``."""
        if path is Path.PADDED_BF16:
            out = padded_lstm(bf16_copy(lstm, self._prediction_copies), h.bfloat16(), padding)
            if not isinstance(project, nn.Identity):
                # rows rounded too: a bf16 matrix product is a oneDNN kernel per shape
                out = run_in_bf16(project, self._prediction_copies, pad_rows(out))[: out.shape[0]]
            return out.float()
        if path is Path.PADDED_AUTOCAST:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = project(padded_lstm(lstm, h, padding))
            return out.float()
        if path is Path.PADDED:
            return project(padded_lstm(lstm, h, padding))
        if path is Path.STEPWISE:
            return project(packed_lstm_stepwise(lstm, h, batch_sizes))
        if h.is_cuda:
            # Thinc's optimizer swaps parameter storage after each update.
            lstm.flatten_parameters()
        return project(lstm(PackedSequence(h, batch_sizes))[0].data)
