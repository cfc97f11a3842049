"""The world grammar's checker in Python (a port of dev.weft.engine.world.Grammar; docs/world-format.md).

    from weft_train.world_grammar import WorldGrammar
    g = WorldGrammar.from_dataset("data/world")          # phrases from manifest.json ("grammar")
    g.parses("a small red circle at the left on grass, in watercolour.")   # True
    g.parse_share(generated_text)                         # share of its sentences that parse

The word lists come from the data set's manifest, so they are the Java generator's. WorldGrammarCrossTest (engine)
checks that this port and the Java checker agree on thousands of good and damaged sentences.
"""
import json
import os
import re

PRE_TOKEN = re.compile(r"\w+|[^\w\s]+")
SPECIAL_MARKER = re.compile(r"<[^<>\s]*>")


def words(text):
    """Lower-cased words and punctuation, as the tokenizer splits them."""
    return PRE_TOKEN.findall(text.lower())


class WorldGrammar:
    def __init__(self, grammar):
        self.sizes = set(grammar["sizes"])
        self.colours = set(grammar["colours"])
        self.classes = set(grammar["classes"])
        self.places = [p.split() for p in grammar["places"]]
        self.backgrounds = [p.split() for p in grammar["backgrounds"]]
        self.styles = [p.split() for p in grammar["styles"]]

    @classmethod
    def from_dataset(cls, directory):
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
            return cls(json.load(f)["grammar"])

    # ---------------------------------------------------------------- public

    def parses(self, sentence):
        """Whether one sentence (ending with ".") is in the grammar."""
        return self.parses_words(words(sentence))

    def parses_words(self, ws):
        for rule in (self._caption, self._event):
            i = rule(ws, 0)
            if i is not None and i < len(ws) and ws[i] == "." and i + 1 == len(ws):
                return True
        return False

    @staticmethod
    def sentences(text):
        """Word lists of the sentences of a text: each ends at "."; markers like <|image|> are dropped; an
        unfinished tail is a sentence too (it never parses)."""
        out, cur = [], []
        for w in words(SPECIAL_MARKER.sub(" ", text)):
            cur.append(w)
            if w == ".":
                out.append(cur)
                cur = []
        if cur:
            out.append(cur)
        return out

    def parse_share(self, text):
        ss = self.sentences(text)
        return sum(self.parses_words(s) for s in ss) / len(ss) if ss else 0.0

    # ---------------------------------------------------------------- rules: return the next index or None

    @staticmethod
    def _longest(ws, i, options):
        best = 0
        for o in options:
            if len(o) > best and ws[i:i + len(o)] == o:
                best = len(o)
        return i + best if best else None

    @staticmethod
    def _at(ws, i):
        return ws[i] if i < len(ws) else None

    def _np(self, ws, i, allow_position):
        article = self._at(ws, i)
        if article not in ("a", "an"):
            return None
        i += 1
        nxt = self._at(ws, i)
        if nxt is None or (nxt[0] in "aeiou") != (article == "an"):
            return None
        if nxt in self.sizes:
            i += 1
        if self._at(ws, i) in self.colours:
            i += 1
        if self._at(ws, i) not in self.classes:
            return None
        i += 1
        if allow_position and self._at(ws, i) == "at" and self._at(ws, i + 1) == "the":
            return self._longest(ws, i + 2, self.places)
        return i

    def _caption(self, ws, i):
        i = self._np(ws, i, True)
        if i is None:
            return None
        commas = False
        while self._at(ws, i) == "," and self._at(ws, i + 1) in ("a", "an"):
            i = self._np(ws, i + 1, True)
            if i is None:
                return None
            commas = True
        if self._at(ws, i) == "and":
            i = self._np(ws, i + 1, True)
            if i is None:
                return None
        elif commas:
            return None
        j = self._longest(ws, i, self.backgrounds)
        if j is not None:
            i = j
        if self._at(ws, i) == "," and self._at(ws, i + 1) == "in":
            return self._longest(ws, i + 2, self.styles)
        return i

    def _event(self, ws, i):
        if self._at(ws, i) == "then":
            i += 1
        if self._at(ws, i) in ("a", "an"):
            i = self._np(ws, i, False)
            if i is None or self._at(ws, i) != "appears":
                return None
            i += 1
            if self._at(ws, i) == "at":
                if self._at(ws, i + 1) != "the":
                    return None
                return self._longest(ws, i + 2, self.places)
            return i
        if self._at(ws, i) == "it":
            i += 1
        elif self._at(ws, i) == "the":
            i += 1
            if self._at(ws, i) in self.colours:
                i += 1
            if self._at(ws, i) not in self.classes:
                return None
            i += 1
        else:
            return None
        verb = self._at(ws, i)
        if verb == "moves":
            if self._at(ws, i + 1) != "to" or self._at(ws, i + 2) != "the":
                return None
            return self._longest(ws, i + 3, self.places)
        if verb == "becomes":
            return i + 2 if self._at(ws, i + 1) in self.colours else None
        if verb in ("grows", "shrinks", "disappears"):
            return i + 1
        return None
