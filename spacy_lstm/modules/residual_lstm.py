"""A stack of packed LSTM layers with residual connections and LayerNorm."""
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .packing import PackingPlan, plan_packing
from .direct_lstm import lstm_one_sequence, lstm_one_sequence_rounded
from .padded_lstm import pad_rows, padded_lstm, plan_padding
from .precision import bf16_copy, run_in_bf16, trains_in_bf16
from .stepwise_lstm import packed_lstm_stepwise

#: CPU training batches with at most this many tokens run the padded path
#: (length buckets, a fused kernel per bucket and direction), larger ones the
#: stepwise packed path (a Python loop over time steps). Since the padded
#: path buckets by length it is the faster one at every batch size measured
#: (BiLM stack, width 256, one thread, raw-text lengths: 300 tokens 1.6x,
#: 1,000 tokens 1.5x, 3,000 tokens 1.4x), so every CPU training batch takes
#: it; the stepwise path stays as the tests' second implementation (set 0).
PADDED_MAX_ROWS = 1 << 62


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
    """

    def __init__(
        self,
        width: int,
        hidden_size: int,
        depth: int,
        bidirectional: bool = True,
        dropout: float = 0.0,
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
        #: Predict on the CPU with the LSTMs and projections in bfloat16
        #: (residual and LayerNorm stay float32). Not a weight: set from the
        #: architecture's ``inference_precision``. Training and GPU work are
        #: unaffected.
        self.inference_bf16 = False
        self._bf16_copies: dict = {}  # bfloat16 copies of the LSTMs and projections, for prediction

    def forward(self, X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.run_planned(X, plan_packing(lengths, X.device))

    def run_planned(self, X: torch.Tensor, plan: PackingPlan) -> torch.Tensor:
        """:meth:`forward` with the packing plan of its lengths already made."""
        if plan.to_packed.numel() == 0:
            return X.new_zeros((0, self.width))
        # nn.LSTM's packed CPU backward is quadratic (see stepwise_lstm.py), so
        # CPU training runs the padded path (length buckets, padded_lstm.py;
        # the stepwise one only where PADDED_MAX_ROWS says so).
        cpu_training = torch.is_grad_enabled() and not X.is_cuda
        # Predicting one non-empty doc (``nlp(text)``): packed order is the
        # doc's own order, and the LSTMs run on it unpacked, through
        # direct_lstm (PyTorch's packed-input path and nn.LSTM's per-call
        # checks cost about 20 % more on one short sequence).
        one_doc = not torch.is_grad_enabled() and int(plan.batch_sizes[0]) == 1
        h = X if one_doc else X.index_select(0, plan.to_packed)
        bf16 = self.inference_bf16 and not h.is_cuda and not torch.is_grad_enabled()
        # bfloat16 prediction runs the padded path too (one doc: the direct
        # one, padded to a rounded length): its grids are rounded to recurring
        # shapes, so oneDNN builds a bounded set of kernels (packed bf16 built
        # one per batch's shapes, and a corpus run grew by up to 1.5 GB);
        # float32 prediction keeps the packed path, bit for bit
        batch_sizes = plan.batch_sizes.tolist() if cpu_training or bf16 else plan.batch_sizes
        padded = (cpu_training and h.shape[0] <= PADDED_MAX_ROWS) or (bf16 and not one_doc)
        padding = plan_padding(batch_sizes, h.device) if padded else None
        # training inside precision.training_in_bf16 (the pretraining
        # objective's ``precision``): the LSTMs and projections under autocast
        train_bf16 = padded and trains_in_bf16()
        if torch.is_grad_enabled() and self._bf16_copies:
            # thinc's optimizer updates the weights in place through numpy,
            # which torch's version counters do not see: a training pass
            # drops the bfloat16 copies (loading weights bumps the counters)
            self._bf16_copies.clear()

        def predict(lstm: nn.Module, x: torch.Tensor) -> torch.Tensor:
            if one_doc:
                return lstm_one_sequence(lstm, x)
            return lstm(PackedSequence(x, batch_sizes))[0].data

        for lstm, project, norm in zip(self.lstms, self.projections, self.norms):
            if bf16:
                twin = bf16_copy(lstm, self._bf16_copies)
                out = lstm_one_sequence_rounded(twin, h.bfloat16()) if one_doc else padded_lstm(twin, h.bfloat16(), padding)
                if not isinstance(project, nn.Identity):
                    # rows rounded too: a bf16 matrix product is a oneDNN kernel per shape
                    out = run_in_bf16(project, self._bf16_copies, pad_rows(out))[: out.shape[0]]
                out = out.float()
            elif train_bf16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = project(padded_lstm(lstm, h, padding))
                out = out.float()
            else:
                if padded:
                    out = padded_lstm(lstm, h, padding)
                elif cpu_training:
                    out = packed_lstm_stepwise(lstm, h, batch_sizes)
                else:
                    if h.is_cuda:
                        # Thinc's optimizer swaps parameter storage after each update.
                        lstm.flatten_parameters()
                    out = predict(lstm, h)
                out = project(out)
            h = norm(h + self.dropout(out))
        return h if one_doc else h.index_select(0, plan.to_flat)
