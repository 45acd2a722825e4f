#!/usr/bin/python3
"""Writes PyTorch (float64) reference fixtures for NetGen's Bidirectional layers with separate outputs (Keras
merge_mode=None) and with state outputs (Keras return_state under Bidirectional).

Keras' Bidirectional runs a forward copy of the layer and a go_backwards copy with its own weights; with return_sequences
the backward output is flipped back into input time order; merge_mode=None returns (forward, backward) unmerged, and
return_state appends the forward layer's final states then the backward layer's ([h, c] each for an LSTM). The recurrent
layers, weights layout and conversions are those of make_recurrent_network_fixtures.py (imported from it); each network
of Tests/NetGen.Tests/EndToEnd/BidirectionalNetworks.cs reads the outputs NetGen exposes as ports.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_bidirectional_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/bidirectional/*.json (read by BidirectionalTests).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_recurrent_network_fixtures as R  # noqa: E402

R.OUT = os.path.join(R.ROOT, "Tests", "NetGen.Tests", "Fixtures", "bidirectional")


def main():
    os.makedirs(R.OUT, exist_ok=True)
    rng = np.random.default_rng(20261205)

    def start():
        p = R.Params(rng)
        x_np = R.padded_input(rng, 0.0)
        target = torch.tensor(R.f32(rng.uniform(-1, 1, (R.BATCH, 2))))
        return p, x_np, torch.tensor(x_np), target

    # LSTM(4, Separate, sequences) "bi" -> Concatenate("bi", "bi:backward") -> Flatten -> Dense(2).
    p, x_np, x, t = start()
    f, _, _ = R.recurrent(p, "lstm", x)
    b, _, _ = R.recurrent(p, "lstm", x, go_backwards=True)
    b = torch.flip(b, dims=[1])
    R.write("BiLstmSeparateNet", p, x_np, t, R.dense(p, torch.cat([f, b], dim=-1).reshape(R.BATCH, -1), 2))

    # GRU(4, Separate, ReturnState) "bi" -> Concatenate("bi:forward", "bi:backward", "bi:backward_h", "bi:forward_h") -> Dense(2).
    p, x_np, x, t = start()
    f, fh, _ = R.recurrent(p, "gru", x)
    b, bh, _ = R.recurrent(p, "gru", x, go_backwards=True)
    R.write("BiGruSeparateStateNet", p, x_np, t, R.dense(p, torch.cat([f[:, -1], b[:, -1], bh, fh], dim=1), 2))

    # LSTM(4, Concat, ReturnState) "bi" -> Concatenate("bi", "bi:forward_h", "bi:forward_c", "bi:backward_h", "bi:backward_c") -> Dense(2).
    p, x_np, x, t = start()
    f, fh, fc = R.recurrent(p, "lstm", x)
    b, bh, bc = R.recurrent(p, "lstm", x, go_backwards=True)
    R.write("BiLstmStateNet", p, x_np, t, R.dense(p, torch.cat([f[:, -1], b[:, -1], fh, fc, bh, bc], dim=1), 2))

    # SimpleRNN(4, Separate, sequences, go_backwards) "bi" -> Concatenate("bi:forward", "bi:backward") -> Flatten -> Dense(2):
    # the forward copy reads backwards (its sequence stays in processing order), the backward copy forwards.
    p, x_np, x, t = start()
    f, _, _ = R.recurrent(p, "simple_rnn", x, go_backwards=True)
    b, _, _ = R.recurrent(p, "simple_rnn", x)
    b = torch.flip(b, dims=[1])
    R.write("BiSimpleRnnSeparateNet", p, x_np, t, R.dense(p, torch.cat([f, b], dim=-1).reshape(R.BATCH, -1), 2))


if __name__ == "__main__":
    main()
