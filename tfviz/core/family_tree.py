"""The Transformer family tree: who came before, and the three roads after 2017.

Plain data, no Qt: frozen dataclasses the Overview panel draws as a timeline and the tests
check for sanity. Every entry carries its year and month (of the first public paper or
announcement), organisation, architecture, training objective and one line on why it
mattered, in English and Simplified Chinese.

>>> MODELS["bert"].year, MODELS["bert"].organisation.en
(2018, 'Google AI Language')
>>> [m.name for m in children("gpt3")]
['InstructGPT', 'PaLM', 'ChatGPT', 'LLaMA']

Edges (``parents``) mean "builds directly on": GPT-2 on GPT, BART on BERT and GPT, LLaMA on
GPT-3's pre-normalisation and PaLM's SwiGLU. They are a teaching simplification, not a
full citation graph.

About the name ERNIE: two different 2019 models share it. The entry here is Baidu's
ERNIE 1.0 ("Enhanced Representation through Knowledge Integration", April 2019).
Tsinghua University and Huawei published another ERNIE ("Enhanced Language Representation
with Informative Entities", May 2019) that feeds knowledge-graph entities into BERT.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- vocabulary

#: Architecture keys. The first three existed before the Transformer.
ARCHITECTURES = (
    "word-vectors",  # a shallow network that learns one static vector per word
    "recurrent",  # an LSTM language model
    "rnn-encoder-decoder",  # RNN encoder + RNN decoder (sequence to sequence)
    "encoder-decoder",  # Transformer encoder + decoder (the 2017 original, T5, BART)
    "encoder-only",  # Transformer encoder, bidirectional (BERT and family)
    "decoder-only",  # Transformer decoder, causal (GPT and family)
)
PRE_TRANSFORMER = ("word-vectors", "recurrent", "rnn-encoder-decoder")

#: Branches of the drawn tree, in the order the filter lists them. "root" is the 2017 paper.
BRANCHES = ("predecessor", "encoder-only", "decoder-only", "encoder-decoder")
ROOT = "transformer"


@dataclass(frozen=True)
class Text:
    """A short text in English and Simplified Chinese.

    >>> Text("Google", "谷歌").get("zh")
    '谷歌'
    """

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Model:
    """One entry of the family tree."""

    key: str  # stable id, used for edges: "bert"
    name: str  # display name (a proper noun, the same in every language): "BERT"
    year: int  # of the first public paper or announcement
    month: int  # 1..12, same source; orders entries within a year
    organisation: Text
    architecture: str  # one of ARCHITECTURES
    objective: Text  # what it is trained to do
    why: Text  # one line on why it mattered
    paper: str  # title of the paper or announcement (kept in its original English)
    parents: tuple[str, ...] = ()  # keys of the entries it builds on

    @property
    def branch(self) -> str:
        """Where it sits in the tree: "predecessor", "root" or its architecture.

        >>> MODELS["elmo"].branch, MODELS["transformer"].branch, MODELS["t5"].branch
        ('predecessor', 'root', 'encoder-decoder')
        """
        if self.key == ROOT:
            return "root"
        if self.architecture in PRE_TRANSFORMER:
            return "predecessor"
        return self.architecture

    @property
    def date(self) -> float:
        """Year as a number, for a time axis: 2018-10 -> 2018.75."""
        return self.year + (self.month - 1) / 12


# Organisation names used more than once.
_GOOGLE = Text("Google", "谷歌（Google）")
_OPENAI = Text("OpenAI", "OpenAI")
_META = Text("Meta AI", "Meta AI")

# --------------------------------------------------------------------------- the entries

_ENTRIES = (
    # ---- predecessors -------------------------------------------------------------------
    Model(
        "word2vec", "Word2Vec", 2013, 1, _GOOGLE, "word-vectors",
        Text("Predict a word from its neighbours (CBOW) or the neighbours from the word "
             "(skip-gram).",
             "用上下文预测中心词（CBOW），或用中心词预测上下文（skip-gram）。"),
        Text("Fast, dense word vectors whose directions carry meaning (king − man + woman ≈ "
             "queen); the start of pretrained embeddings.",
             "快速得到稠密词向量，方向带有语义（king − man + woman ≈ queen），"
             "开启了预训练词嵌入的时代。"),
        "Efficient Estimation of Word Representations in Vector Space",
    ),
    Model(
        "seq2seq", "Seq2Seq", 2014, 9, _GOOGLE, "rnn-encoder-decoder",
        Text("Supervised translation: read the source with an LSTM encoder into one vector, "
             "then write the target word by word with an LSTM decoder.",
             "有监督翻译：LSTM 编码器把源句读成一个向量，LSTM 解码器再逐词写出译文。"),
        Text("Showed one neural network can map a whole sequence to another sequence; the "
             "encoder-decoder shape the Transformer kept.",
             "证明一个神经网络就能把整段序列映射成另一段序列；Transformer 沿用了这种编码器-解码器结构。"),
        "Sequence to Sequence Learning with Neural Networks",
    ),
    Model(
        "bahdanau", "RNNsearch", 2014, 9,
        Text("Université de Montréal", "蒙特利尔大学"), "rnn-encoder-decoder",
        Text("Supervised translation with an RNN encoder-decoder whose decoder attends to "
             "every encoder state at each step.",
             "有监督翻译：RNN 编码器-解码器，解码器每一步都对所有编码器状态做注意力。"),
        Text("Introduced attention: no more squeezing the input into one fixed vector, and a "
             "soft alignment between source and target words.",
             "提出注意力机制：不必再把输入压进一个固定向量，并学到源词与目标词的软对齐。"),
        "Neural Machine Translation by Jointly Learning to Align and Translate",
    ),
    Model(
        "glove", "GloVe", 2014, 10, Text("Stanford University", "斯坦福大学"), "word-vectors",
        Text("Fit word vectors to the logarithm of global word–word co-occurrence counts "
             "(weighted least squares).",
             "让词向量拟合全局词-词共现次数的对数（加权最小二乘）。"),
        Text("Linked count-based and prediction-based word vectors; widely used pretrained "
             "vectors.",
             "把基于计数和基于预测的词向量方法联系起来；其预训练词向量被广泛使用。"),
        "GloVe: Global Vectors for Word Representation",
        ("word2vec",),
    ),
    Model(
        "fasttext", "FastText", 2016, 7, Text("Facebook AI Research", "Facebook 人工智能研究院（FAIR）"),
        "word-vectors",
        Text("Skip-gram where a word's vector is the sum of its character n-gram vectors.",
             "skip-gram，但词向量是其字符 n-gram 向量之和。"),
        Text("Subword pieces give vectors to rare and unseen words and help languages with "
             "rich morphology.",
             "子词片段让罕见词和未登录词也有向量，对形态丰富的语言很有帮助。"),
        "Enriching Word Vectors with Subword Information",
        ("word2vec",),
    ),
    Model(
        "ulmfit", "ULMFiT", 2018, 1, Text("fast.ai & NUI Galway", "fast.ai 与爱尔兰国立大学戈尔韦"),
        "recurrent",
        Text("Next-word language modelling with an LSTM (AWD-LSTM) on Wikipedia, then "
             "fine-tuning on the target task.",
             "先用 LSTM（AWD-LSTM）在维基百科上做下一个词预测，再在目标任务上微调。"),
        Text("Showed that pretrain-then-fine-tune works for text, with a recipe for "
             "fine-tuning (discriminative learning rates, gradual unfreezing).",
             "证明\"先预训练、再微调\"对文本有效，并给出微调方法（分层学习率、逐层解冻）。"),
        "Universal Language Model Fine-tuning for Text Classification",
    ),
    Model(
        "elmo", "ELMo", 2018, 2,
        Text("Allen Institute for AI (AllenAI) & University of Washington",
             "艾伦人工智能研究所（AllenAI）与华盛顿大学"),
        "recurrent",
        Text("Forward and backward language modelling with a two-layer bidirectional LSTM "
             "over character convolutions.",
             "在字符卷积之上用两层双向 LSTM，分别做正向和反向语言建模。"),
        Text("Contextual word vectors: the same word gets a different vector in each "
             "sentence; improved the state of the art on six NLP tasks.",
             "上下文相关的词向量：同一个词在不同句子里有不同向量；在六项 NLP 任务上刷新了最好成绩。"),
        "Deep contextualized word representations",
    ),
    # ---- the root -----------------------------------------------------------------------
    Model(
        "transformer", "Transformer", 2017, 6, Text("Google Brain & Google Research",
                                                    "谷歌大脑与谷歌研究院"),
        "encoder-decoder",
        Text("Supervised translation: predict the next target token from the source "
             "sentence and the target tokens so far.",
             "有监督翻译：根据源句和已生成的目标词，预测下一个目标词。"),
        Text("\"Attention Is All You Need\": replaced recurrence with self-attention, so all "
             "positions are processed in parallel; the base of every model after it here.",
             "《Attention Is All You Need》：用自注意力取代循环结构，所有位置可并行计算；"
             "此后的所有模型都以它为基础。"),
        "Attention Is All You Need",
        ("seq2seq", "bahdanau"),
    ),
    # ---- encoder-only: masked language models -------------------------------------------
    Model(
        "bert", "BERT", 2018, 10, Text("Google AI Language", "谷歌 AI Language 团队"),
        "encoder-only",
        Text("Masked language modelling (predict 15% of tokens, hidden, from both sides) "
             "plus next-sentence prediction.",
             "掩码语言模型（遮住 15% 的词，从左右两侧上下文预测）加下一句预测。"),
        Text("Deep bidirectional pretraining; fine-tuned BERT set new records on eleven NLP "
             "tasks and became the default text encoder.",
             "深层双向预训练；微调后的 BERT 在十一项 NLP 任务上创下新纪录，成为默认的文本编码器。"),
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        ("transformer", "elmo", "gpt"),
    ),
    Model(
        "ernie", "ERNIE (Baidu)", 2019, 4, Text("Baidu", "百度"), "encoder-only",
        Text("Masked language modelling that hides whole entities and phrases (knowledge "
             "masking), not just single pieces.",
             "掩码语言模型，但遮住的是整个实体和短语（知识掩码），而不只是单个字词。"),
        Text("Knowledge-aware masking with strong Chinese results. (Tsinghua's 2019 ERNIE is "
             "a different model that adds knowledge-graph entities.)",
             "知识增强的掩码方式，在中文任务上表现突出。（清华大学 2019 年的 ERNIE 是另一个模型，"
             "它引入知识图谱实体。）"),
        "ERNIE: Enhanced Representation through Knowledge Integration",
        ("bert",),
    ),
    Model(
        "roberta", "RoBERTa", 2019, 7,
        Text("Facebook AI & University of Washington", "Facebook AI 与华盛顿大学"),
        "encoder-only",
        Text("Masked language modelling only (no next-sentence prediction), with dynamic "
             "masking, more data, bigger batches and longer training.",
             "只用掩码语言模型（去掉下一句预测），采用动态掩码、更多数据、更大批量和更长训练。"),
        Text("Showed BERT was undertrained: the same architecture with a better recipe gave "
             "clearly better results.",
             "证明 BERT 训练得不够：同样的结构，换用更好的训练方法就明显更好。"),
        "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        ("bert",),
    ),
    Model(
        "albert", "ALBERT", 2019, 9,
        Text("Google Research & Toyota Technological Institute at Chicago",
             "谷歌研究院与芝加哥丰田技术研究所"),
        "encoder-only",
        Text("Masked language modelling plus sentence-order prediction.",
             "掩码语言模型加句子顺序预测。"),
        Text("Shares parameters across layers and factorises the embedding matrix, so models "
             "need far fewer parameters.",
             "跨层共享参数并分解词嵌入矩阵，大幅减少参数量。"),
        "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations",
        ("bert",),
    ),
    Model(
        "distilbert", "DistilBERT", 2019, 10, Text("Hugging Face", "Hugging Face"),
        "encoder-only",
        Text("Knowledge distillation from BERT (match the teacher's output distribution) "
             "combined with masked language modelling.",
             "从 BERT 做知识蒸馏（拟合教师模型的输出分布），同时做掩码语言建模。"),
        Text("40% smaller and 60% faster than BERT while keeping 97% of its language "
             "understanding.",
             "比 BERT 小 40%、快 60%，同时保留其 97% 的语言理解能力。"),
        "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter",
        ("bert",),
    ),
    Model(
        "electra", "ELECTRA", 2020, 3, Text("Stanford University & Google Brain",
                                           "斯坦福大学与谷歌大脑"),
        "encoder-only",
        Text("Replaced-token detection: a small generator swaps some tokens and the encoder "
             "learns to spot which ones were replaced.",
             "替换词检测：一个小生成器替换部分词，编码器学习判断哪些词被替换过。"),
        Text("Learns from every token instead of the 15% that are masked, so it needs much "
             "less compute than masked language modelling.",
             "从每个词而不只是被遮住的 15% 学习，所需算力远少于掩码语言模型。"),
        "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
        ("bert",),
    ),
    Model(
        "deberta", "DeBERTa", 2020, 6, Text("Microsoft", "微软（Microsoft）"), "encoder-only",
        Text("Masked language modelling with disentangled attention (separate content and "
             "relative-position vectors) and an enhanced mask decoder.",
             "掩码语言模型，采用解耦注意力（内容向量与相对位置向量分开）和增强的掩码解码器。"),
        Text("A 1.5B-parameter DeBERTa was the first single model to pass the human baseline "
             "on the SuperGLUE benchmark.",
             "15 亿参数的 DeBERTa 是第一个在 SuperGLUE 基准上超过人类基线的单一模型。"),
        "DeBERTa: Decoding-enhanced BERT with Disentangled Attention",
        ("bert", "roberta"),
    ),
    # ---- decoder-only: autoregressive language models -----------------------------------
    Model(
        "gpt", "GPT", 2018, 6, _OPENAI, "decoder-only",
        Text("Next-token prediction (causal language modelling) on books, then supervised "
             "fine-tuning for each task.",
             "在书籍语料上做下一个词预测（因果语言建模），再针对每个任务有监督微调。"),
        Text("Generative pretraining of a Transformer decoder plus fine-tuning beat "
             "task-specific models on most benchmarks it tried.",
             "Transformer 解码器的生成式预训练加微调，在其测试的大多数基准上超过了专门设计的模型。"),
        "Improving Language Understanding by Generative Pre-Training",
        ("transformer", "ulmfit"),
    ),
    Model(
        "gpt2", "GPT-2", 2019, 2, _OPENAI, "decoder-only",
        Text("Next-token prediction on WebText (about 8 million web pages); 1.5B parameters.",
             "在 WebText（约 800 万个网页）上做下一个词预测；15 亿参数。"),
        Text("Performed tasks zero-shot from a prompt alone; released in stages because of "
             "concerns about misuse.",
             "只靠提示就能零样本完成任务；因担心被滥用而分阶段发布。"),
        "Language Models are Unsupervised Multitask Learners",
        ("gpt",),
    ),
    Model(
        "gpt3", "GPT-3", 2020, 5, _OPENAI, "decoder-only",
        Text("Next-token prediction at scale: 175B parameters, about 300B training tokens.",
             "大规模下一个词预测：1750 亿参数，约 3000 亿训练词元。"),
        Text("In-context learning: does new tasks from a few examples in the prompt, without "
             "changing its weights.",
             "上下文学习：只需在提示中给几个示例就能完成新任务，无需更新权重。"),
        "Language Models are Few-Shot Learners",
        ("gpt2",),
    ),
    Model(
        "instructgpt", "InstructGPT", 2022, 1, _OPENAI, "decoder-only",
        Text("GPT-3 fine-tuned on human-written demonstrations, then RLHF: a reward model "
             "learned from human rankings, optimised with PPO.",
             "在人工示范上微调 GPT-3，再做 RLHF：用人类排序训练奖励模型，并用 PPO 优化。"),
        Text("People preferred the answers of the 1.3B InstructGPT to those of the 175B "
             "GPT-3: aligning with human feedback matters.",
             "人们更喜欢 13 亿参数的 InstructGPT 的回答，而不是 1750 亿参数的 GPT-3：对齐人类反馈很重要。"),
        "Training language models to follow instructions with human feedback",
        ("gpt3",),
    ),
    Model(
        "palm", "PaLM", 2022, 4, Text("Google Research", "谷歌研究院"), "decoder-only",
        Text("Next-token prediction: a dense 540B-parameter decoder trained on 780B tokens "
             "with Google's Pathways system.",
             "下一个词预测：5400 亿参数的稠密解码器，用谷歌 Pathways 系统在 7800 亿词元上训练。"),
        Text("Gains kept coming with scale, including strong few-shot and chain-of-thought "
             "reasoning results.",
             "规模继续带来提升，在少样本和思维链推理上表现突出。"),
        "PaLM: Scaling Language Modeling with Pathways",
        ("gpt3",),
    ),
    Model(
        "chatgpt", "ChatGPT", 2022, 11, _OPENAI, "decoder-only",
        Text("A GPT-3.5 model fine-tuned for dialogue with human demonstrations and RLHF.",
             "基于 GPT-3.5 的模型，用人工示范和 RLHF 针对对话微调。"),
        Text("A free chat interface that brought large language models to the general "
             "public: over a million users in its first week.",
             "免费的聊天界面把大语言模型带给了普通大众：第一周用户就超过一百万。"),
        "Introducing ChatGPT (OpenAI announcement)",
        ("gpt3", "instructgpt"),
    ),
    Model(
        "llama", "LLaMA", 2023, 2, _META, "decoder-only",
        Text("Next-token prediction on publicly available data only (1.0–1.4T tokens); 7B "
             "to 65B parameters.",
             "只用公开数据做下一个词预测（1.0–1.4 万亿词元）；70 亿到 650 亿参数。"),
        Text("LLaMA-13B beat GPT-3 (175B) on most benchmarks; its weights, shared with "
             "researchers, started a wave of open models.",
             "LLaMA-13B 在多数基准上超过 GPT-3（1750 亿）；向研究者开放的权重掀起了开放模型的浪潮。"),
        "LLaMA: Open and Efficient Foundation Language Models",
        ("gpt3", "palm"),
    ),
    Model(
        "gpt4", "GPT-4", 2023, 3, _OPENAI, "decoder-only",
        Text("Next-token prediction pretraining, then RLHF; takes images as well as text as "
             "input.",
             "先做下一个词预测预训练，再做 RLHF；输入可以是图像和文本。"),
        Text("Human-level results on many professional and academic exams (a simulated bar "
             "exam around the top 10%); size and training data undisclosed.",
             "在许多专业和学术考试上达到人类水平（模拟律师资格考试约前 10%）；规模和训练数据未公开。"),
        "GPT-4 Technical Report",
        ("chatgpt",),
    ),
    Model(
        "llama2", "Llama 2", 2023, 7, _META, "decoder-only",
        Text("Next-token prediction on 2T tokens; the chat models add supervised "
             "fine-tuning and RLHF.",
             "在 2 万亿词元上做下一个词预测；对话版本再加有监督微调和 RLHF。"),
        Text("Open weights (7B to 70B) under a licence that allows commercial use.",
             "开放权重（70 亿到 700 亿参数），许可证允许商业使用。"),
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        ("llama",),
    ),
    # ---- encoder-decoder: sequence-to-sequence Transformers -----------------------------
    Model(
        "t5", "T5", 2019, 10, _GOOGLE, "encoder-decoder",
        Text("Span corruption: random spans of the input are dropped and the decoder writes "
             "the missing spans; every task is text in, text out.",
             "片段破坏：随机删去输入中的若干片段，由解码器写出缺失内容；所有任务都是\"文本进、文本出\"。"),
        Text("Cast every NLP task as text-to-text, compared pretraining choices "
             "systematically and introduced the C4 corpus; up to 11B parameters.",
             "把所有 NLP 任务统一为文本到文本，系统比较了各种预训练选择，并发布 C4 语料；最大 110 亿参数。"),
        "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
        ("transformer",),
    ),
    Model(
        "bart", "BART", 2019, 10, Text("Facebook AI", "Facebook AI"), "encoder-decoder",
        Text("Denoising autoencoder: corrupt the text (masked spans, shuffled sentences) and "
             "reconstruct the original.",
             "去噪自编码器：破坏文本（遮盖片段、打乱句子），再还原原文。"),
        Text("A bidirectional encoder like BERT with an autoregressive decoder like GPT; "
             "especially strong at summarisation.",
             "像 BERT 一样的双向编码器加像 GPT 一样的自回归解码器；尤其擅长文本摘要。"),
        "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, "
        "Translation, and Comprehension",
        ("transformer", "bert", "gpt"),
    ),
    Model(
        "flan-t5", "Flan-T5", 2022, 10, _GOOGLE, "encoder-decoder",
        Text("T5 fine-tuned on about 1,800 tasks phrased as instructions, including "
             "chain-of-thought examples.",
             "在约 1800 个以指令形式表述的任务（含思维链示例）上微调 T5。"),
        Text("Instruction tuning lets a model follow new instructions zero-shot; the "
             "checkpoints were released openly.",
             "指令微调让模型能零样本地遵循新指令；模型权重公开发布。"),
        "Scaling Instruction-Finetuned Language Models",
        ("t5",),
    ),
)

#: Every entry by key, in chronological order.
MODELS: dict[str, Model] = {m.key: m for m in sorted(_ENTRIES, key=lambda m: (m.date, m.key))}


def children(key: str) -> list[Model]:
    """The entries that build directly on ``key``, oldest first."""
    return [m for m in MODELS.values() if key in m.parents]


def by_branch(branch: str) -> list[Model]:
    """The entries of one branch ("predecessor", "root", "encoder-only", ...), oldest first."""
    return [m for m in MODELS.values() if m.branch == branch]


def edges() -> list[tuple[str, str]]:
    """Every lineage edge as (parent key, child key)."""
    return [(p, m.key) for m in MODELS.values() for p in m.parents]
