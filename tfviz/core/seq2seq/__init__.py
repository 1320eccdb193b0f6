"""Encoder-decoder models on generated tasks (issue 5).

Read in this order: :mod:`tasks` (dates in nine formats, reverse), :mod:`vocab`, :mod:`data`,
then the three models :mod:`rnn` (one context vector c), :mod:`rnn_attn` (Bahdanau attention)
and :mod:`transformer` (the shared blocks of :mod:`tfviz.core.attention`), then
:mod:`decode` (greedy decoding as a generator), :mod:`train`, :mod:`evaluate` and
:mod:`models` (building, saving and loading weights).
"""
