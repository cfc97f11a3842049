"""Writes assets/tiny/tokenizer.json: the word-level tokenizer of the tiny config (96 ids).

Layout mirrors LLaMA's special ids: 0 <unk>, 1 <s>, 2 </s>; the last three are <pad> and the two image tokens
<|beginofimage|>, <|image|> (notes 1.5), so TokenConfig.forVocab(96) gives pad 93, boi 94, image 95.
"""
import json
import os

WORDS = """. , a an the and of in on at with is are there it its then now again
red orange yellow green blue purple pink brown black white gray
circle square triangle star heart moon house tree car boat fish bird cat flower
small big large tiny left right top bottom middle center near far above below next to
sky grass sand water night snow room field
flat watercolour pencil pixel neon style picture photo image scene
moves grows turns becomes appears stays sits flies swims
story""".split()

assert len(WORDS) == len(set(WORDS)), "duplicate words"
VOCAB_SIZE = 96
specials_head = ["<unk>", "<s>", "</s>"]
specials_tail = ["<pad>", "<|beginofimage|>", "<|image|>"]
n_words = VOCAB_SIZE - len(specials_head) - len(specials_tail)
assert len(WORDS) <= n_words, f"{len(WORDS)} words > {n_words} slots"
words = WORDS + [f"<extra_{i}>" for i in range(n_words - len(WORDS))]
tokens = specials_head + words + specials_tail
vocab = {t: i for i, t in enumerate(tokens)}
added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
          "normalized": False, "special": True} for t in specials_head + specials_tail]
tok = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": added,
    "normalizer": {"type": "Lowercase"},
    "pre_tokenizer": {"type": "Whitespace"},
    "post_processor": None,
    "decoder": None,
    "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
}
out = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "tiny", "tokenizer.json")
with open(out, "w") as f:
    json.dump(tok, f, indent=1)
print(f"wrote {os.path.normpath(out)}: {len(tokens)} ids, {len(WORDS)} words")
