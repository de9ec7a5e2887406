"""Tokens -> a tree of the formula as written (symbols not yet typed).

A recursive-descent parser over :func:`tokenize`'s tokens with a depth budget. Its nodes say
what the notation says (a transpose, a juxtaposition, a derivative) and leave shapes to
``_typing``: ``Ax`` is a product of two symbols whether they turn out to be matrices, vectors
or scalars.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._tokens import LatexError, Token, tokenize

__all__ = ["MAX_DEPTH", "parse_relation"]

#: The deepest nesting read (braces, parentheses, fractions together).
MAX_DEPTH = 40
#: The most factors of one product (``x x x ...``).
MAX_FACTORS = 100
#: The largest exponent written as a number.
MAX_EXPONENT = 64

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
    "Upsilon Phi Psi Omega".split()
)
BOLD = frozenset({"mathbf", "boldsymbol", "bm", "textbf", "mathbold", "pmb", "vec"})
ACCENTS = {"hat": "hat", "tilde": "tilde", "bar": "bar", "widehat": "hat", "overline": "bar"}
FUNCTIONS = {
    "tr": "tr",
    "trace": "tr",
    "Tr": "tr",
    "det": "det",
    "log": "log",
    "ln": "log",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "tanh": "tanh",
    "diag": "diag",
    "vec": "vec",
    "sigmoid": "sigmoid",
    "softplus": "softplus",
    "relu": "relu",
    "ReLU": "relu",
    "step": "step",
}
NAMED = frozenset({"operatorname", "mathrm", "text", "textrm", "rm", "mathsf", "mathit"})
TRANSPOSES = frozenset({"T", "top", "intercal", "H", "mathsf{T}", "mathrm{T}", "prime", "*"})
# the end of an expression: the parser stops before these
_STOP = frozenset({"+", "-", "=", ")", "}", ",", "&", "]", ";", ".", "<", ">"})
_STOP_CMDS = frozenset(
    {
        "right",
        "rangle",
        "\\",
        "rVert",
        "rvert",
        "cr",
        "text",
        "quad",
        "label",
        "tag",
        "in",
        "forall",
        "implies",
        "Rightarrow",
        "qquad",
        "approx",
        "neq",
        "ne",
        "le",
        "ge",
        "leq",
        "geq",
    }
)
_PRODUCTS = {"cdot": "*", "times": "*", "odot": "odot", "circ": "odot", "otimes": "kron"}


@dataclass(frozen=True)
class Sym:
    """A symbol: `name` is an identifier (``beta_hat``, ``W_1``); `bold` and `upper` are its
    typography."""

    name: str
    bold: bool
    upper: bool


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Identity:
    """``I`` / ``\\mathbf{I}`` (value 1) or ``\\mathbf{0}`` (value 0), sized by its context or
    by the dimension `size` written as a subscript (``I_n``)."""

    value: int
    size: str = ""


@dataclass(frozen=True)
class Ones:
    """``\\mathbf{1}``: the column of ones, sized by its context or by the dimension `size`
    (``\\mathbf{1}_n``)."""

    size: str = ""


@dataclass(frozen=True)
class Sum:
    """terms[0] + terms[1] ..., each term a (sign, node) pair."""

    terms: tuple


@dataclass(frozen=True)
class Product:
    """left op right: op is "jux" (written side by side, ``\\times`` or ``*``), "cdot" (the
    matrix product, or the dot product of two column vectors), "odot" or "kron"."""

    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Frac:
    num: object
    den: object


@dataclass(frozen=True)
class Post:
    """A superscript on `base`: "T", "-1", "-T", or a power (kind "pow"/"hadamard_pow")."""

    base: object
    kind: str
    power: float = 1.0


@dataclass(frozen=True)
class Func:
    """A named function of one argument: tr, det, log, exp, sqrt, norm2, normF, abs, ..."""

    name: str
    arg: object


@dataclass(frozen=True)
class Inner:
    left: object
    right: object


@dataclass(frozen=True)
class Apply:
    """``name(args)`` for a name the document uses as a function (``RSS(\\beta)``, ``u(x)``)."""

    name: str
    args: tuple
    options: tuple = ()  # (name, value) pairs written after ``;`` (``axis=-1``)


@dataclass(frozen=True)
class Deriv:
    """``\\frac{\\partial F}{\\partial X}`` (or ``d``, or ``\\nabla_X F``); `transposed` when the
    denominator is written ``\\partial X^T``, `vec` when it is
    ``\\partial \\operatorname{vec} X``."""

    num: object
    wrt: Sym
    transposed: bool = False
    vec: bool = False


@dataclass(frozen=True)
class Hessian:
    """The second derivative of a scalar ``num`` by the one symbol `wrt`, twice:
    ``\\nabla^2_x F``, ``\\nabla_x^2 F``, ``\\frac{\\partial^2 F}{\\partial x^2}``,
    ``\\frac{\\partial^2 F}{\\partial x \\partial x^T}``, ``\\frac{d^2 F}{dx^2}``."""

    num: object
    wrt: Sym


@dataclass(frozen=True)
class IndexSum:
    """``\\sum_{i,j} body``: `indices` are (name, range) pairs, the range the dimension's name
    written as the upper limit (``\\sum_{i=1}^n``) or "" when none is written."""

    indices: tuple[tuple[str, str], ...]
    body: object


@dataclass(frozen=True)
class FreeIndexed:
    """A side written entry by entry (``2 x_i`` in ``\\partial F / \\partial x_i = 2 x_i``):
    the array over the free `indices`, which range over the axes of the symbol `variable`,
    whose entry is `body`."""

    indices: tuple[str, ...]
    variable: str
    body: object


@dataclass(frozen=True)
class Entry:
    """``x_i``, ``A_{ij}`` inside a sum over i (and j): an entry of the symbol `sym`."""

    sym: Sym
    indices: tuple[str, ...]


@dataclass(frozen=True)
class Diff:
    """The differential ``d F`` (``dX``, ``d(X^{-1})``, ``\\mathrm{d}X``)."""

    arg: object


_CHILDREN = ("left", "right", "num", "den", "base", "arg", "wrt", "body", "sym")


def walk(root: object):
    """Every node of the tree under `root` (iterative, so a deep tree cannot overflow)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Sum):
            stack.extend(term for _, term in node.terms)
        elif isinstance(node, Apply):
            stack.extend(node.args)
        stack.extend(getattr(node, f) for f in _CHILDREN if hasattr(node, f))


def _is_size(tokens: list[Token]) -> bool:
    """Whether `tokens` write one size: a dimension's name (n) or a whole number (3)."""
    return len(tokens) == 1 and (
        tokens[0].kind == "letter" or (tokens[0].kind == "number" and tokens[0].text.isdigit())
    )


class _Parser:
    def __init__(
        self,
        tokens: list[Token],
        functions: frozenset[str],
        depth: int = 0,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self.names = names  # multi-letter variable names known beforehand (``lam``)
        self.tokens = tokens
        self.pos = 0
        self.depth = depth
        self.bold = False
        self.bars = 0  # open |...| and \|...\| (a bar closes one only inside)
        self.functions = functions
        self.indices: frozenset[str] = frozenset()  # the indices of the enclosing sums

    def sub(self, tokens: list[Token]) -> _Parser:
        inner = _Parser(tokens, self.functions, self.depth + 1, self.names)
        inner.bold = self.bold
        inner.indices = self.indices
        if inner.depth > MAX_DEPTH:
            raise LatexError(f"the formula is nested more than {MAX_DEPTH} levels deep")
        return inner

    def whole(self, tokens: list[Token]) -> object:
        """`tokens` read as one complete expression."""
        inner = self.sub(tokens)
        node = inner.expression()
        if inner.peek() is not None:
            t = inner.peek()
            raise LatexError(f"cannot read `{t.text}` at column {t.start + 1}")
        return node

    # -- token helpers ------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        k = self.pos + offset
        return self.tokens[k] if k < len(self.tokens) else None

    def at(self, kind: str, text: str | None = None, offset: int = 0) -> bool:
        t = self.peek(offset)
        return t is not None and t.kind == kind and (text is None or t.text == text)

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise LatexError("the formula ends too early")
        self.pos += 1
        return t

    def expect(self, kind: str, text: str) -> None:
        t = self.peek()
        if t is None or t.kind != kind or t.text != text:
            got = "the end" if t is None else f"`{t.text}` at column {t.start + 1}"
            raise LatexError(f"expected `{text}`, got {got}")
        self.pos += 1

    def fail(self, message: str) -> LatexError:
        t = self.peek()
        where = "at the end" if t is None else f"at column {t.start + 1}"
        return LatexError(f"{message} {where}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LatexError(f"the formula is nested more than {MAX_DEPTH} levels deep")

    # -- grammar ------------------------------------------------------------------------------
    def relation(self) -> list:
        sides = [self.expression()]
        while self.at("symbol", "="):
            self.take()
            sides.append(self.expression())
        if self.peek() is not None:
            t = self.peek()
            raise LatexError(f"cannot read `{t.text}` at column {t.start + 1}")
        return sides

    def expression(self) -> object:
        self.enter()
        terms = []
        sign = "+"
        if self.at("symbol", "-") or self.at("symbol", "+"):
            sign = self.take().text
        terms.append((sign, self.product()))
        while self.at("symbol", "+") or self.at("symbol", "-"):
            sign = self.take().text
            terms.append((sign, self.product()))
        self.depth -= 1
        if len(terms) == 1 and terms[0][0] == "+":
            return terms[0][1]
        return Sum(tuple(terms))

    def ends_term(self) -> bool:
        t = self.peek()
        if t is None:
            return True
        if t.kind == "symbol" and (t.text in _STOP or (t.text == "|" and self.bars)):
            return True
        if t.kind == "cmd" and t.text in ("|", "Vert") and self.bars:
            return True
        return t.kind == "cmd" and t.text in _STOP_CMDS

    def product(self) -> object:
        """Matrix products joined by ``\\otimes`` / ``\\odot`` / ``\\circ``, which bind weaker
        than juxtaposition (``AC \\otimes BD`` is (AC) kron (BD))."""
        left = self.matrix_product()
        while self.at("cmd") and _PRODUCTS.get(self.peek().text, "*") != "*":
            op = _PRODUCTS[self.take().text]
            left = Product(op, left, self.matrix_product())
        return left

    def matrix_product(self) -> object:
        left = self.factor()
        count = 1
        while not self.ends_term():
            t = self.peek()
            if t.kind == "cmd" and _PRODUCTS.get(t.text, "*") != "*":
                return left
            count += 1
            if count > MAX_FACTORS:
                raise self.fail(f"a product of more than {MAX_FACTORS} factors is not read")
            if t.kind == "cmd" and t.text == "cdot":
                # binds weaker than juxtaposition: x \cdot A x is x . (Ax)
                self.take()
                self.enter()
                right = self.matrix_product()
                self.depth -= 1
                return Product("cdot", left, right)
            if t.kind == "symbol" and t.text == "/":  # x / \|x\|: a fraction written inline
                self.take()
                left = Frac(left, self.factor())
                continue
            if (t.kind == "cmd" and t.text in _PRODUCTS) or (t.kind == "symbol" and t.text == "*"):
                self.take()
            left = Product("jux", left, self.factor())
        return left

    def factor(self) -> object:
        base = self.atom()
        while True:
            if self.at("symbol", "^"):
                self.no_prime_derivative(
                    base, self.at("cmd", "prime", 1) and self.at("symbol", "(", 2)
                )
                self.take()
                base = self.superscript(base)
            elif self.at("symbol", "'"):
                self.take()
                self.no_prime_derivative(base, self.at("symbol", "(") or self.at("symbol", "'"))
                base = Post(base, "T")
            elif self.at("symbol", "_") and isinstance(base, Func) and base.name == "norm":
                self.take()
                base = Func(self.norm_kind(), base.arg)
            elif self.at("symbol", "_") and isinstance(base, Sym) and "_" not in base.name:
                named = self.symbol(base.name, upper=base.upper)  # \mathbf{w}_1
                base = Sym(named.name, base.bold, base.upper)
            else:
                return base

    def no_prime_derivative(self, base: object, applied: bool) -> None:
        """Refuse ``f'(x)`` / ``f^\\prime(x)`` (`applied`: the prime is followed by an argument
        or another prime) for a function's name: a derivative, never a transpose."""
        if applied and isinstance(base, Sym) and base.name in self.functions | {"f", "g", "h"}:
            raise LatexError(
                f"{base.name}'(...): a prime after a function's name is its derivative, which is "
                f"not read; write \\frac{{d {base.name}}}{{d x}}"
            )

    def group_tokens(self) -> list[Token]:
        """The tokens of a ``{...}`` group or of one token."""
        if not self.at("symbol", "{"):
            return [self.take()]
        self.take()
        level, out = 1, []
        while True:
            t = self.take()
            if t.kind == "symbol" and t.text == "{":
                level += 1
            elif t.kind == "symbol" and t.text == "}":
                level -= 1
                if level == 0:
                    return out
            out.append(t)

    def superscript(self, base: object) -> object:
        tokens = self.group_tokens()
        if len(tokens) == 1 and tokens[0].text in NAMED and self.at("symbol", "{"):
            tokens += self.group_tokens()  # ^\mathsf{T}
        text = "".join(t.text if t.kind != "cmd" else "\\" + t.text for t in tokens)
        text = text.replace("\\mathsf", "").replace("\\mathrm", "").replace("{", "")
        text = text.replace("}", "").replace(" ", "")
        if text.lstrip("\\") in TRANSPOSES:
            return Post(base, "T")
        if base == Sym("e", False, False):  # e^{x}, e^{-a^T x}, e^{x_i}, e^{2}: the exponential
            return Func("exp", self.real_exponent(self.whole(tokens)))
        if text in ("-1",):
            return Post(base, "-1")
        if text.replace("\\", "") in ("-T", "-top", "-intercal", "-H"):
            return Post(base, "-T")
        hadamard = text.startswith("\\circ")
        number = text.removeprefix("\\circ")
        try:
            power = float(number)
        except ValueError:
            raise LatexError(f"the exponent `{text}` is not a number or a transpose") from None
        if abs(power) > MAX_EXPONENT:
            raise LatexError(f"the exponent {number} is larger than {MAX_EXPONENT} in magnitude")
        return Post(base, "hadamard_pow" if hadamard else "pow", power)

    def real_exponent(self, node: object) -> object:
        """`node`, the exponent of e, unless it has a bare i or j (not an index of an enclosing
        sum): the imaginary unit of e^{i\\theta}, which the reader's real arrays cannot be."""
        for sub in walk(node):
            if isinstance(sub, Sym) and sub.name in ("i", "j") and sub.name not in self.indices:
                raise LatexError(
                    f"e^{{{sub.name}...}}: {sub.name} reads as the imaginary unit; complex "
                    "exponentials are not read"
                )
        return node

    def norm_kind(self) -> str:
        text = "".join(t.text for t in self.group_tokens())
        if text in ("F", "mathrmF", "Fro"):
            return "normF"
        if text == "2":
            return "norm2"
        raise LatexError(f"the norm `_{text}` is not read (only _2 and _F)")

    # -- atoms --------------------------------------------------------------------------------
    def atom(self) -> object:
        t = self.peek()
        if t is None:
            raise self.fail("an operand is missing")
        if t.kind == "number":
            self.take()
            return Num(float(t.text))
        if t.kind == "letter":
            return self.letter()
        if t.kind == "symbol":
            return self.symbol_atom(t)
        return self.command(t)

    def symbol_atom(self, t: Token) -> object:
        if t.text in "({[":
            self.take()
            self.enter()
            inner = self.expression()
            self.depth -= 1
            self.expect("symbol", {"(": ")", "{": "}", "[": "]"}[t.text])
            return inner
        if t.text == "|":
            self.take()
            inner = self.barred()
            self.expect("symbol", "|")
            return Func("abs", inner)
        raise self.fail(f"`{t.text}` cannot start an operand")

    def letter(self) -> object:
        word = self.word()
        if word in self.indices:
            raise self.fail(f"the index {word} used as a value is not read")
        if word in self.names:
            return self.symbol(word, upper=word[0].isupper())
        if word in FUNCTIONS and ((word != "d" and self.opens_argument()) or len(word) > 1):
            return self.apply_function(FUNCTIONS[word])
        if word in self.functions and self.at("symbol", "("):
            return self.apply_user(word)
        if len(word) > 1:  # letters side by side: a product of symbols
            self.pos -= len(word) - 1
            word = word[0]
        if word == "d" and self.starts_operand():
            return Diff(self.factor())
        if word == "I":
            return self.identity()
        return self.symbol(word, upper=word.isupper())

    def ones(self) -> Ones:
        """``\\mathbf{1}``, or ``\\mathbf{1}_n`` of length n."""
        if not self.at("symbol", "_"):
            return Ones()
        self.take()
        sub = self.group_tokens()
        if not _is_size(sub):
            raise LatexError(
                "the subscript of the ones vector must be a dimension's name or a whole number"
            )
        return Ones(sub[0].text)

    def identity(self) -> Identity:
        """``I``, or ``I_n`` sized by the dimension n."""
        if not self.at("symbol", "_"):
            return Identity(1)
        self.take()
        sub = self.group_tokens()
        if not _is_size(sub):
            raise LatexError("the subscript of I must be a dimension's name or a whole number")
        return Identity(1, sub[0].text)

    def word(self) -> str:
        """The letters from here that spell a function name (or one letter)."""
        letters = ""
        k = 0
        while self.at("letter", offset=k):
            letters += self.peek(k).text
            k += 1
        for size in range(len(letters), 0, -1):
            head = letters[:size]
            if head in self.names:
                self.pos += size
                return head
            if size > 1 and (head in FUNCTIONS or head in self.functions):
                self.pos += size
                return head
        self.pos += 1
        return letters[:1]

    def opens_argument(self) -> bool:
        return self.at("symbol", "(") or self.at("cmd", "left") or self.at("symbol", "{")

    def starts_operand(self) -> bool:
        t = self.peek()
        if t is None:
            return False
        if t.kind == "letter" or (t.kind == "symbol" and t.text == "("):
            return True
        return t.kind == "cmd" and (
            t.text in BOLD
            or t.text in GREEK
            or t.text in ACCENTS
            or t.text in NAMED
            or t.text in FUNCTIONS
            or t.text == "left"
        )

    def symbol(self, name: str, *, upper: bool) -> object:
        if self.at("symbol", "_"):
            self.take()
            sub = self.group_tokens()
            letters = tuple(s.text for s in sub if s.text != ",")
            if self.indices and letters and all(x in self.indices for x in letters):
                return Entry(Sym(name, self.bold, upper), letters)
            if not all(s.kind in ("letter", "number") for s in sub):
                raise LatexError(f"the subscript of {name} is not a plain name or number")
            name += "_" + "".join(s.text for s in sub)
        if name == "0" or (name == "O" and self.bold):
            return Identity(0)
        return Sym(name, self.bold, upper)

    def argument(self, *, rest_of_product: bool) -> object:
        if self.opens_argument():
            return self.atom()
        return self.product() if rest_of_product else self.factor()

    def apply_function(self, name: str) -> object:
        if name == "d":
            return Diff(self.factor())
        return Func(name, self.argument(rest_of_product=name == "tr"))

    def apply_user(self, name: str) -> object:
        self.expect("symbol", "(")
        args = [self.expression()]
        while self.at("symbol", ","):
            self.take()
            args.append(self.expression())
        options = []
        if self.at("symbol", ";"):
            self.take()
            options.append(self.option())
            while self.at("symbol", ","):
                self.take()
                options.append(self.option())
        self.expect("symbol", ")")
        return Apply(name, tuple(args), tuple(options))

    def option(self) -> tuple[str, object]:
        """``name=value`` with an integer, a number, a quoted word or None as the value."""
        key = ""
        while self.at("letter") or self.at("cmd", "_") or (key and self.at("number")):
            key += self.take().text
        self.expect("symbol", "=")
        sign = -1 if self.at("symbol", "-") and self.take() else 1
        t = self.take()
        if t.kind == "number":
            value = float(t.text) if "." in t.text else int(t.text)
            return key, sign * value
        if t.text == "'":  # a string: ord='fro'
            word = ""
            while not self.at("symbol", "'"):
                word += self.take().text
            self.take()
            return key, word
        if t.text == "N" and self.at("letter", "o"):  # None
            self.pos += 3
            return key, None
        raise LatexError(f"the option {key} must be a number")

    def command(self, t: Token) -> object:
        name = t.text
        self.take()
        if name in GREEK:
            if name == "sigma" and (self.at("symbol", "(") or self.at("cmd", "left")):
                return Func("sigma", self.argument(rest_of_product=False))  # the sigmoid
            return self.symbol(name, upper=name[0].isupper())
        if name in BOLD:
            return self.bold_group()
        if name in ACCENTS:
            inner = self.atom()
            if not isinstance(inner, Sym):
                raise LatexError(f"\\{name} over something that is not a symbol")
            return Sym(f"{inner.name}_{ACCENTS[name]}", inner.bold, inner.upper)
        if name in FUNCTIONS:
            return self.apply_function(FUNCTIONS[name])
        if name in NAMED:
            return self.named()
        if name in ("frac", "dfrac", "cfrac", "tfrac"):
            return self.fraction()
        if name == "left":
            return self.left()
        if name in ("|", "Vert", "lVert"):
            inner = self.barred()
            if not (self.at("cmd", "|") or self.at("cmd", "Vert") or self.at("cmd", "rVert")):
                raise self.fail("the norm is not closed with \\|")
            self.take()
            return Func("norm", inner)
        if name in ("lvert", "vert"):
            inner = self.expression()
            self.take()
            return Func("abs", inner)
        if name == "langle":
            left = self.expression()
            self.expect("symbol", ",")
            right = self.expression()
            self.expect("cmd", "rangle")
            return Inner(left, right)
        return self.decorated(name)

    def barred(self) -> object:
        self.bars += 1
        try:
            return self.expression()
        finally:
            self.bars -= 1

    def decorated(self, name: str) -> object:
        if name == "sqrt":
            return Func("sqrt", self.group_atom())
        if name == "nabla":
            return self.nabla()
        if name in ("color", "textcolor"):
            self.group_tokens()  # the colour's name
            return (
                self.group_atom()
                if name == "textcolor" or self.at("symbol", "{")
                else (self.product())
            )
        if name in ("boxed", "underbrace", "overbrace", "underset", "mathbb"):
            inner = self.group_atom()
            if name != "boxed" and (self.at("symbol", "_") or self.at("symbol", "^")):
                self.take()
                self.group_tokens()
            return inner
        if name == "partial":
            return self.slash_derivative()
        if name == "sum":
            return self.index_sum()
        raise self.fail(f"the command \\{name} is not read")

    def slash_derivative(self) -> Deriv:
        """``\\partial F / \\partial X`` written inline (F one symbol or one group)."""
        num = self.factor()
        if not (self.at("symbol", "/") and self.at("cmd", "partial", 1)):
            raise self.fail(
                "\\partial outside a fraction is read only as \\partial F / \\partial X with F "
                "one symbol or a group (\\partial (x^T x) / \\partial x)"
            )
        self.take()
        self.take()
        wrt = self.factor()
        transposed = isinstance(wrt, Post) and wrt.kind == "T"
        wrt = wrt.base if transposed else wrt
        if not isinstance(wrt, Sym):
            raise LatexError("a derivative must be with respect to one symbol")
        return Deriv(num, wrt, transposed)

    def group_atom(self) -> object:
        return self.whole(self.group_tokens())

    def bold_group(self) -> object:
        was = self.bold
        self.bold = True
        try:
            if not self.at("symbol", "{"):
                return self.atom()
            tokens = self.group_tokens()
            if len(tokens) == 1 and tokens[0].text == "0":
                return Identity(0)  # \mathbf{0}: a zero array sized by its context
            if len(tokens) == 1 and tokens[0].text == "1":
                return self.ones()  # \mathbf{1}: the vector of ones
            return self.whole(tokens)
        finally:
            self.bold = was

    def named(self) -> object:
        tokens = self.group_tokens()
        word = "".join(t.text for t in tokens)  # \_ is the command "_"
        plain = all(t.kind in ("letter", "number") or t.text == "_" for t in tokens)
        if not plain or not word:
            return self.whole(tokens)
        if word == "d":
            return Diff(self.factor())
        if word in FUNCTIONS:
            return self.apply_function(FUNCTIONS[word])
        if word in self.functions and self.at("symbol", "("):
            return self.apply_user(word)
        if len(word) > 1 and (self.at("symbol", "(") or self.at("cmd", "left")):
            raise LatexError(f"unknown function {word}")
        if word == "I":
            return Identity(1)
        return self.symbol(word, upper=word[0].isupper())

    def left(self) -> object:
        opener = self.take()
        closers = {"(": ")", "[": "]", "|": "|", "{": "}", ".": None}
        if opener.kind == "cmd" and opener.text in ("|", "Vert", "lVert"):
            inner = self.expression()
            self.expect("cmd", "right")
            self.take()
            return Func("norm", inner)
        if opener.text not in closers:
            raise LatexError(f"\\left{opener.text} is not read")
        inner = self.expression()
        self.expect("cmd", "right")
        self.take()
        return Func("abs", inner) if opener.text == "|" else inner

    def fraction(self) -> object:
        t = self.peek()
        if t is not None and t.kind == "number" and len(t.text) > 1 and t.text.isdigit():
            # \frac12 is \frac{1}{2} (TeX takes one digit per argument): split the number
            digits = [Token("number", d, t.start + k) for k, d in enumerate(t.text)]
            self.tokens[self.pos : self.pos + 1] = [digits[0], digits[1]] + (
                [Token("number", t.text[2:], t.start + 2)] if len(t.text) > 2 else []
            )
        num = self.group_tokens()
        den = self.group_tokens()
        if _starts_d(num) and _after_d(num)[:1] and _after_d(num)[0].text == "^":
            return self.second_derivative(_after_d(num)[1:], den)
        if _is_derivative(den) and (_starts_d(num) or not num):
            return self.derivative(num, den)
        return Frac(self.whole(num), self.whole(den))

    def derivative(self, num: list[Token], den: list[Token]) -> object:
        wrt_node = self.whole(_after_d(den))
        transposed = isinstance(wrt_node, Post) and wrt_node.kind == "T"
        if transposed:
            wrt_node = wrt_node.base
        vec = isinstance(wrt_node, Func) and wrt_node.name == "vec"
        if vec:
            wrt_node = wrt_node.arg
        if isinstance(wrt_node, Entry):
            raise LatexError(
                "a derivative by an entry (a free index) is not read: write the vector form"
            )
        if not isinstance(wrt_node, Sym):
            raise LatexError("a derivative must be with respect to one symbol")
        rest = _after_d(num)
        if not rest:  # the operator form \frac{\partial}{\partial x} F
            return Deriv(self.product(), wrt_node, transposed, vec)
        return Deriv(self.whole(rest), wrt_node, transposed, vec)

    def second_derivative(self, num: list[Token], den: list[Token]) -> Hessian:
        """``\\frac{\\partial^2 F}{...}`` from the tokens after the numerator's ``^`` and the
        denominator's: ``\\partial x^2``, ``\\partial x \\partial x^T`` (or ``d x^2``)."""
        rest = _after_order(num)
        if not _starts_d(den):
            raise LatexError("a second derivative needs \\partial x^2 or dx^2 below")
        parts = _split_partials(den) if den[0].text == "partial" else [_after_d(den)]
        if len(parts) == 1:
            wrt = self.whole(parts[0]) if parts[0] else None
            if not (isinstance(wrt, Post) and wrt.kind == "pow" and wrt.power == 2.0):
                raise LatexError(
                    "a second derivative's denominator must be \\partial x^2 or "
                    "\\partial x \\partial x^T"
                )
            wrt = wrt.base
        elif len(parts) == 2:
            first, second = (self.whole(part) for part in parts)
            if isinstance(second, Post) and second.kind == "T":
                second = second.base
            if isinstance(first, Sym) and isinstance(second, Sym) and first != second:
                raise LatexError(
                    "a mixed second derivative (\\partial^2 F / \\partial x \\partial y) "
                    "is not read: check it with gradcheck.check_hessian(wrt=(x, y))"
                )
            wrt = first if first == second else None
        else:
            raise LatexError("only first and second derivatives are read")
        if not isinstance(wrt, Sym):
            raise LatexError("a second derivative must be with respect to one symbol")
        if not rest:  # the operator form \frac{\partial^2}{\partial x^2} F
            return Hessian(self.product(), wrt)
        return Hessian(self.whole(rest), wrt)

    def index_sum(self) -> IndexSum:
        """``\\sum_i``, ``\\sum_{i,j}``, ``\\sum_{ij}``, ``\\sum_{i=1}^n``, and the product after
        it as the terms."""
        if not self.at("symbol", "_"):
            raise self.fail("a sum \\sum needs its index as a subscript, \\sum_i")
        self.take()
        sub = self.group_tokens()
        upper = ""
        if any(t.text == "=" for t in sub):
            k = next(k for k, t in enumerate(sub) if t.text == "=")
            if [t.text for t in sub[k + 1 :]] != ["1"] or k != 1:
                raise LatexError("a sum's range must start at 1: \\sum_{i=1}^n")
            sub = sub[:1]
            if not self.at("symbol", "^"):
                raise self.fail("a sum from 1 needs its upper limit, \\sum_{i=1}^n")
            self.take()
            top = self.group_tokens()
            if not _is_size(top):
                raise LatexError(
                    "a sum's upper limit must be a dimension's name or a whole number: "
                    "\\sum_{i=1}^n"
                )
            upper = top[0].text
        names = [t.text for t in sub if t.text != ","]
        if not names or not all(t.kind == "letter" for t in sub if t.text != ","):
            raise LatexError("a sum's indices must be letters, \\sum_{i,j}")
        if len(set(names)) != len(names) or set(names) & self.indices:
            raise LatexError("a sum's index is used twice")
        was = self.indices
        self.indices = was | set(names)
        self.enter()
        try:
            body = self.product()
        finally:
            self.indices = was
        self.depth -= 1
        return IndexSum(tuple((n, upper) for n in names), body)

    def nabla(self) -> object:
        """``\\nabla_x F`` (the gradient), ``\\nabla^2_x F`` and ``\\nabla_x^2 F`` (the
        Hessian), ``\\nabla f(x)`` and ``\\nabla^2 f(x)``."""
        second = self.nabla_power()
        if not self.at("symbol", "_"):
            return self.nabla_of_argument(second)
        self.take()
        wrt = self.whole(self.group_tokens())
        if not isinstance(wrt, Sym):
            raise LatexError("\\nabla_X needs one symbol X")
        if self.at("symbol", "^"):
            if second:
                raise LatexError("\\nabla has two powers")
            second = self.nabla_power()
        body = self.product()
        return Hessian(body, wrt) if second else Deriv(body, wrt)

    def nabla_power(self) -> bool:
        """Whether a power follows (``^2``, ``^{2}``: the Hessian); any other power is refused."""
        if not self.at("symbol", "^"):
            return False
        self.take()
        if [t.text for t in self.group_tokens()] != ["2"]:
            raise LatexError("\\nabla^k: only \\nabla (the gradient) and \\nabla^2 are read")
        return True

    def nabla_of_argument(self, second: bool) -> Deriv | Hessian:
        """``\\nabla f(x)``: the gradient (or with `second`, the Hessian) by the one symbol
        `f` is applied to (``\\nabla`` with no subscript names no variable otherwise: in
        ``\\nabla (x^T A x)``, x or A?)."""
        start = self.peek()
        num = self.product()
        if isinstance(num, Apply) and len(num.args) == 1 and isinstance(num.args[0], Sym):
            return Hessian(num, num.args[0]) if second else Deriv(num, num.args[0])
        where = "at the end" if start is None else f"at column {start.start + 1}"
        raise LatexError(
            "\\nabla without a subscript is read only as \\nabla f(x), a function of one symbol; "
            f"write the variable as a subscript, \\nabla_x f {where}"
        )


def _starts_d(tokens: list[Token]) -> bool:
    if not tokens:
        return False
    t = tokens[0]
    if t.kind == "cmd" and t.text == "partial":
        return True
    if t.kind == "letter" and t.text == "d":
        return True
    return t.kind == "cmd" and t.text in NAMED and len(tokens) > 2 and tokens[2].text == "d"


def _after_order(tokens: list[Token]) -> list[Token]:
    """The tokens after a second derivative's order (``2`` or ``{2}`` after ``\\partial^``)."""
    if [t.text for t in tokens[:1]] == ["2"]:
        return tokens[1:]
    if [t.text for t in tokens[:3]] == ["{", "2", "}"]:
        return tokens[3:]
    raise LatexError("only first and second derivatives are read (\\partial^2)")


def _split_partials(tokens: list[Token]) -> list[list[Token]]:
    """``\\partial x \\partial y^T`` as the tokens after each ``\\partial``."""
    parts: list[list[Token]] = []
    for t in tokens:
        if t.kind == "cmd" and t.text == "partial":
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _is_derivative(tokens: list[Token]) -> bool:
    return _starts_d(tokens) and len(_after_d(tokens)) > 0


def _after_d(tokens: list[Token]) -> list[Token]:
    if not tokens:
        return []
    if tokens[0].kind == "cmd" and tokens[0].text in NAMED:
        return tokens[4:]  # \mathrm { d }
    return tokens[1:]


def parse_relation(
    source: str,
    functions: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
    indices: frozenset[str] = frozenset(),
) -> list:
    r"""The sides of ``A = B = ...`` as written (one side for a formula without ``=``);
    `indices` are free indices (``x_i`` an entry of x, not a symbol of its own).

    Examples
    --------
    >>> [type(side).__name__ for side in parse_relation(r"\mathbf{x}^T\mathbf{x} = 1")]
    ['Product', 'Num']
    """
    parser = _Parser(tokenize(source), functions, names=names)
    parser.indices = indices
    return parser.relation()
