"""One unpacked sequence through an ``nn.LSTM``'s own op, for ``nlp(text)``.

``nn.LSTM.forward`` checks its input, builds zero states and refreshes its
flattened weights on every call: about 45 us per call, 14 % of a bfloat16
LSTM layer over a 22-token text on one thread. A pipeline predicting one
text at a time makes five such calls per text, so the prediction path for a
single doc calls the op ``nn.LSTM`` itself calls (``torch.lstm``, with the
module's own flattened weights) directly: the same kernel, the same result,
bit for bit (tested).
"""
import torch
from torch import nn


def lstm_one_sequence(lstm: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    """``lstm(x.unsqueeze(1))[0].squeeze(1)`` for one sequence ``x`` of shape
    ``(length, input_size)``, without gradients (prediction only)."""
    if lstm.proj_size or lstm.batch_first:
        return lstm(x.unsqueeze(1))[0].squeeze(1)
    zeros = x.new_zeros((lstm.num_layers * (2 if lstm.bidirectional else 1), 1, lstm.hidden_size))
    out = torch.lstm(x.unsqueeze(1), (zeros, zeros), lstm._flat_weights, lstm.bias, lstm.num_layers, 0.0, False,
                     lstm.bidirectional, False)
    return out[0].squeeze(1)


__all__ = ["lstm_one_sequence"]
