"""Language models: a tiny GPT and a tiny BERT trained by tfviz (and SmolLM2 through the registry).

No Qt here. Long work (training) is a generator of small frozen records.

How a GUI drives it (every call returns plain Python / numpy, never tensors):

* load: ``registry.load("gpt-en")`` -> :class:`tiny.TinyModel` (also ``bert-en``, ``gpt-zh``,
  ``bert-zh``; ``smollm2``). ``m.encode(text)`` / ``m.decode(ids)`` / ``m.token_str(id)``.
* next-token bar chart after ``ids``: ``m.next_logits(ids)`` then
  ``sampling.shape_probs(logits, Sampling(temperature, top_k, top_p))`` (re-shape live without
  running the model again); the GPT guess at every position at once:
  ``m.position_probs(ids)`` (row i = token i from ids[:i] only).
* BERT fill: ``m.fill_ids(ids)`` -> one ``Fill(position, top)`` per ``[MASK]`` id
  (``m.mask_id``); "can BERT generate?": ``m.fill_generate(ids, n)``.
* generation: ``m.generate(ids, n, sampling, seed, use_cache)`` yields ``CachedGenStep``
  (token, top 10, seconds, ``reused`` / ``new`` cached positions, ``window_start``).
* attention: ``m.attention(ids)`` -> ``(L, H, 1 + T, 1 + T)``, labels ``m.model_tokens(ids)``.
* training: ``train.prepare_data(lang, corpus)`` then ``train.LMTrainer(config, data)``;
  ``train.train_side_by_side(gpt_trainer, bert_trainer)`` yields ``LMTrainStep`` records of both.

>>> from tfviz.core.lm.sampling import Sampling
>>> Sampling(temperature=0).temperature
0
"""
