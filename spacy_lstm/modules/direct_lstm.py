"""One unpacked sequence through an ``nn.LSTM``'s own op, for ``nlp(text)``.

``nn.LSTM.forward`` checks its input, builds zero states and refreshes its
flattened weights on every call: about 45 us per call, 14 % of a bfloat16
LSTM layer over a 22-token text on one thread. A pipeline predicting one
text at a time makes five such calls per text, so the prediction path for a
single doc calls the op ``nn.LSTM`` itself calls (``torch.lstm``, with the
module's own flattened weights) directly: the same kernel, the same result,
bit for bit (tested). On a CPU prediction copy
(:func:`~spacy_lstm.modules.precision.prediction_copy`) each direction runs
that kernel with its weights packed once (:mod:`.onednn_lstm`), again the
same result; a doc of more than ``PREDICT_STEPS`` tokens runs in slices of
that many steps where that gives the same bits (checked once per
direction), so a corpus of texts meets at most ``PREDICT_STEPS`` distinct
kernel shapes per direction, not one per text length.
"""
import torch
from torch import nn

from .onednn_lstm import direction_call, packed_call, run_in_slices, slice_steps
from .padded_lstm import pad_rows, predict_steps


def lstm_one_sequence(lstm: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    """``lstm(x.unsqueeze(1))[0].squeeze(1)`` for one sequence ``x`` of shape
    ``(length, input_size)``, without gradients (prediction only)."""
    if lstm.proj_size or lstm.batch_first:
        return lstm(x.unsqueeze(1))[0].squeeze(1)
    if lstm.num_layers == 1:
        calls = [packed_call(lstm, "_l0", 1)]
        if lstm.bidirectional:
            calls.append(packed_call(lstm, "_l0_reverse", 1, reverse=True))
        if all(calls):
            # nn.LSTM's op runs its backward direction as such a reversed call;
            # a long doc runs in slices of PREDICT_STEPS steps where that gives
            # the same bits (checked once per direction): a bounded set of lengths
            zeros = x.new_zeros((1, 1, lstm.hidden_size))
            seq = x.unsqueeze(1)
            outs = [run_in_slices(call, seq, (zeros, zeros), slice_steps(lstm, suffix, reverse), reverse).squeeze(1)
                    for call, suffix, reverse in zip(calls, ("_l0", "_l0_reverse"), (False, True))]
            return torch.cat(outs, dim=1) if len(outs) > 1 else outs[0]
    zeros = x.new_zeros((lstm.num_layers * (2 if lstm.bidirectional else 1), 1, lstm.hidden_size))
    out = torch.lstm(x.unsqueeze(1), (zeros, zeros), lstm._flat_weights, lstm.bias, lstm.num_layers, 0.0, False,
                     lstm.bidirectional, False)
    return out[0].squeeze(1)


def lstm_one_sequence_rounded(lstm: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    """:func:`lstm_one_sequence` with the sequence zero-padded at its end to
    ``predict_steps(length)`` steps, each direction run on its own (the
    backward one over the reversed sequence, padded after it), so no real
    output reads padding, and run ``PREDICT_STEPS`` steps a call. oneDNN
    builds a kernel per shape: rounded and sliced, a corpus of texts of
    every length meets a couple of dozen shapes, not one per length.
    Single-layer LSTMs without projections (those of ResidualLSTM); a
    bfloat16 copy runs with its weights packed once (:mod:`.onednn_lstm`)."""
    length = x.shape[0]
    zeros = x.new_zeros((1, 1, lstm.hidden_size))

    def run(seq: torch.Tensor, suffix: str) -> torch.Tensor:
        grid = pad_rows(seq, predict_steps(length)).unsqueeze(1)
        return run_in_slices(direction_call(lstm, suffix, 1), grid, (zeros, zeros)).squeeze(1)[:length]

    forward = run(x, "_l0")
    if not lstm.bidirectional:
        return forward
    return torch.cat([forward, run(x.flip(0), "_l0_reverse").flip(0)], dim=1)


__all__ = ["lstm_one_sequence", "lstm_one_sequence_rounded"]
