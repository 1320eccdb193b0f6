"""Language models: a tiny GPT and a tiny BERT trained by tfviz (and SmolLM2 through the registry).

No Qt here. Long work (training) is a generator of small frozen records.
"""
