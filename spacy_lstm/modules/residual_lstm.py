"""A stack of packed LSTM layers with residual connections and LayerNorm."""
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .packing import plan_packing
from .stepwise_lstm import packed_lstm_stepwise


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

    def forward(self, X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        plan = plan_packing(lengths, X.device)
        if plan.to_packed.numel() == 0:
            return X.new_zeros((0, self.width))
        h = X.index_select(0, plan.to_packed)
        # See stepwise_lstm.py: nn.LSTM's packed CPU backward is quadratic.
        stepwise = torch.is_grad_enabled() and not h.is_cuda
        batch_sizes = plan.batch_sizes.tolist() if stepwise else plan.batch_sizes
        for lstm, project, norm in zip(self.lstms, self.projections, self.norms):
            if stepwise:
                out = packed_lstm_stepwise(lstm, h, batch_sizes)
            else:
                if h.is_cuda:
                    # Thinc's optimizer swaps parameter storage after each update.
                    lstm.flatten_parameters()
                out = lstm(PackedSequence(h, batch_sizes))[0].data
            h = norm(h + self.dropout(project(out)))
        return h.index_select(0, plan.to_flat)
