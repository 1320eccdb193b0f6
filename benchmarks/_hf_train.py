"""HF tokenizers BpeTrainer with the same setup as ``tfviz bpe train``: a whole process.

    python benchmarks/_hf_train.py FILE VOCAB_SIZE OUT.json

Pre-tokenization: the GPT-4 (cl100k) split pattern, then byte-level mapping; 256 byte symbols
plus ``VOCAB_SIZE - 256`` merges, no special tokens.
"""

import sys

from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

GPT4 = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""


def main(path: str, vocab_size: int, out: str) -> None:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(GPT4), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train([path], trainer)
    tok.save(out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
