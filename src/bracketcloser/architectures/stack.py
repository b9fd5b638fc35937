"""Stack RNN: a controller that drives a differentiable stack (Joulin & Mikolov 2015, "Inferring
algorithmic patterns with stack-augmented recurrent nets"; Suzgun et al. 2019, "Memory-augmented
recurrent neural networks can learn generalized Dyck languages").

The five other models hold every open bracket in something of fixed size (a hidden state, a
table of positions), which works up to the depth and length they trained on. The exact solver
uses a stack, which has neither limit; this model is given one and learns to use it. At every
token the controller reads the token and the top ``stack_read`` elements and chooses, as
probabilities, push (a vector made from what it read goes on top), pop or keep; the next token
is predicted from the controller's output and the new top. Trained, it acts as the solver does:
push at an opener, pop at a closer, and the top says which closer comes next (empty: the end).

The same weights read in two forms (``answer_with`` picks the one that answers):

    soft       the three outcomes added up with their probabilities (Joulin & Mikolov's continuous
               stack): differentiable, so training uses it; rewritten whole every token, O(T^2) for
               T tokens, and each action's trace of the other two adds up over thousands of brackets
    discrete   the default: the most probable action, done on a real stack, a buffer
               (B, capacity, W) with a pointer per row; O(1) a token on average, and no blur

``forward`` is soft with targets or in training mode (a rounded action has no gradient), else
it reads as decoding does. The controller is feed-forward by default (``controller="mlp"``): with
no memory of its own, the stack is the only place to keep a bracket (``"gru"``, as in the papers,
puts a recurrent state beside it). The stack gains at most one slot per token, so it holds any
depth the input has. Left out: the other neural stacks (Grefenstette et al. 2015; DuSell & Chiang's
nondeterministic ones): closing brackets needs only a deterministic stack. Size at the default
config (embeddings 16, controller 32, stack vectors 8, reading the top one): 1,733 parameters.

What was tried and measured: bench/results/RECORD.md (stack).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn as nn

from ..settings import check_sizes, check_types, searched
from .base import BracketModel, Recording, answer_loss

PUSH, POP, KEEP = 0, 1, 2
ACTIONS = ("push", "pop", "keep")
ANSWER_WITH = ("discrete", "soft")
LONGEST = 2**20  # max_len's ceiling: a real stack costs W numbers a token, not a T x T map


@dataclass
class StackConfig:
    vocab_size: int = 10
    # searched by `bracketcloser tune` within these ranges
    n_embd: int = searched(16, choices=[8, 16, 32])
    n_hidden: int = searched(32, choices=[16, 32, 64])
    stack_width: int = searched(8, choices=[4, 8, 16])  # numbers in one stack element
    stack_read: int = 1  # how many elements from the top the controller and the head see
    controller: str = "mlp"  # "mlp": no memory but the stack; "gru": a recurrent state beside it
    # what decoding uses: "discrete" (the most probable action, on a real stack) or "soft"
    # (the superposition training uses); configs written before this field answer discretely
    answer_with: str = "discrete"
    max_len: int = 262144  # no position table: 100,000 brackets and their answer fit

    def __post_init__(self):
        check_types(self)
        check_sizes(self, ("n_embd", "n_hidden"))
        if self.controller not in ("mlp", "gru"):
            raise ValueError(f"unknown controller {self.controller!r} (choose from mlp, gru)")
        if self.answer_with not in ANSWER_WITH:
            raise ValueError(f"unknown answer_with {self.answer_with!r} (choose from {', '.join(ANSWER_WITH)})")
        for name, top in (("stack_width", 1024), ("stack_read", 1024), ("max_len", LONGEST)):
            if not 1 <= getattr(self, name) <= top:
                raise ValueError(f"{name} must be between 1 and {top}, got {getattr(self, name)}")


class RealStack(NamedTuple):
    """A stack for every row, in one buffer: row i's elements lie bottom first in
    ``slots[rows[i], 1 : size[i] + 1]``. Slot 0 is the floor, never written: what reading below
    the bottom shows (zeros, as in the soft stack). Slots above the top are free (they may hold
    leftovers, never read). A step writes into ``slots`` in place, as a key/value cache is
    written: a state is read once, by the next step."""

    slots: torch.Tensor  # (B0, capacity, W): B0 the rows the batch started with
    size: torch.Tensor  # (b,) elements on each row's stack
    rows: torch.Tensor  # (b,) each row's row of ``slots``
    read: int  # tokens read so far: no row holds more, so capacity > read + 1 leaves room for a push


class StackRNN(Recording, BracketModel):
    # what ``explain`` shows along the stream: the actions taken after each token, and the
    # stack then (how much is in each slot, top first)
    track_names = ("actions", "stack")
    track_labels = {"actions": ACTIONS}
    track_axis = {"stack": "slot (top first)"}

    def __init__(self, cfg: StackConfig):
        super().__init__()
        self.cfg, self.max_len = cfg, cfg.max_len
        seen = cfg.stack_width * cfg.stack_read  # what is read off the top of the stack
        self.embed = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        if cfg.controller == "gru":
            self.cell = nn.GRUCell(cfg.n_embd + seen, cfg.n_hidden)
        else:
            self.cell = nn.Sequential(nn.Linear(cfg.n_embd + seen, cfg.n_hidden), nn.Tanh())
        self.actions = nn.Linear(cfg.n_hidden, len(ACTIONS))
        self.push_value = nn.Linear(cfg.n_hidden, cfg.stack_width)
        self.head = nn.Linear(cfg.n_hidden + seen, cfg.vocab_size)

    def control(self, h, token, seen):
        """The controller on one token and what it saw on top: new state (B, H), action
        probabilities (B, 3) and the vector a push would put on (B, W)."""
        x = torch.cat([self.embed(token), seen], -1)
        h_new = self.cell(x, h) if self.cfg.controller == "gru" else self.cell(x)
        return h_new, self.actions(h_new).softmax(-1), torch.tanh(self.push_value(h_new))

    # ---- the soft form: a superposition of the three outcomes (training) ---------------------

    def start(self, batch: int, length: int, device) -> tuple[torch.Tensor, torch.Tensor]:
        """A zero controller state (B, H) and an empty stack (B, 0 slots, width); it grows a
        slot a token, so ``length`` (what the discrete form makes room for) is not needed."""
        return (torch.zeros(batch, self.cfg.n_hidden, device=device),
                torch.zeros(batch, 0, self.cfg.stack_width, device=device))

    def top(self, stack: torch.Tensor) -> torch.Tensor:
        """The top ``stack_read`` elements, flattened (B, read * width); empty slots read 0."""
        k = self.cfg.stack_read
        seen = stack[:, :k]
        if seen.size(1) < k:
            seen = torch.cat([seen, seen.new_zeros(seen.size(0), k - seen.size(1), seen.size(2))], 1)
        return seen.flatten(1)

    def advance(self, state, token, live=None):
        """Read one token per row: new controller state, actions, stack; logits for the next
        token. ``live`` (B,) False where a row has ended (its state is kept as it was)."""
        h, stack = state
        h_new, act, value = self.control(h, token, self.top(stack))  # act (B, 3): push, pop, keep
        empty = stack.new_zeros(stack.size(0), 1, stack.size(2))
        # every outcome has one slot more than before, so the three can be added
        pushed = torch.cat([value[:, None], stack], 1)
        popped = torch.cat([stack[:, 1:], empty, empty], 1)
        kept = torch.cat([stack, empty], 1)
        p = act[:, :, None, None]
        new = p[:, PUSH] * pushed + p[:, POP] * popped + p[:, KEEP] * kept
        if live is not None:
            h_new = torch.where(live[:, None], h_new, h)
            new = torch.where(live[:, None, None], new, kept)
        logits = self.head(torch.cat([h_new, self.top(new)], -1))
        self.keep((act[:1].detach(), new[:1].norm(dim=-1).detach()))  # while recording: one prompt
        return logits, (h_new, new), act

    # ---- the discrete form: the most probable action, on a real stack (answering) -------------

    def start_discrete(self, batch: int, length: int, device) -> tuple[torch.Tensor, RealStack]:
        """A zero controller state (B, H) and empty stacks with room for ``length`` pushes."""
        slots = torch.zeros(batch, length + 2, self.cfg.stack_width, device=device)  # the floor, the pushes, a spare
        size = torch.zeros(batch, dtype=torch.long, device=device)
        return torch.zeros(batch, self.cfg.n_hidden, device=device), RealStack(slots, size, torch.arange(batch, device=device), 0)

    def top_discrete(self, stack: RealStack) -> torch.Tensor:
        """The top ``stack_read`` elements, flattened (b, read * width); below the bottom reads 0."""
        where = (stack.size[:, None] - torch.arange(self.cfg.stack_read, device=stack.size.device)).clamp(min=0)  # (b, k)
        return stack.slots[stack.rows[:, None], where].flatten(1)  # k slots read, not the stack

    def advance_discrete(self, state, token, live=None):
        """``advance`` with each action rounded to 0 or 1: the same arguments and results."""
        h, stack = state
        if stack.read + 1 >= stack.slots.size(1):  # full: double (log T times in T tokens)
            stack = stack._replace(slots=torch.cat([stack.slots, torch.zeros_like(stack.slots)], 1))
        h_new, act, value = self.control(h, token, self.top_discrete(stack))
        move = act.argmax(-1)  # (b,) PUSH, POP or KEEP
        if live is not None:
            h_new = torch.where(live[:, None], h_new, h)
            move = torch.where(live, move, KEEP)
        # every row writes its vector just above its top: a push keeps it, any other action
        # leaves it in a free slot (one indexed write, no branch per row)
        stack.slots[stack.rows, stack.size + 1] = value
        size = (stack.size + (move == PUSH).long() - (move == POP).long()).clamp(min=0)  # popping nothing leaves nothing
        new = stack._replace(size=size, read=stack.read + 1)
        logits = self.head(torch.cat([h_new, self.top_discrete(new)], -1))
        if self.record:  # one prompt: its stack top first, and the floor (as the soft stack has a spare slot)
            held = new.slots[new.rows[0], : int(size[0]) + 1].flip(0).norm(dim=-1)
            self.keep((act[:1].detach(), held[None].detach()))
        return logits, (h_new, new), act

    # ---- the contract ----------------------------------------------------------------------

    def reader(self, soft: bool):
        """The start state and the one-token step of the soft or the discrete form."""
        return (self.start, self.advance) if soft else (self.start_discrete, self.advance_discrete)

    def forward(self, idx, targets=None):
        # a loss is the soft form's: rounded actions have no gradient
        soft = targets is not None or self.training or self.cfg.answer_with == "soft"
        start, advance = self.reader(soft)
        state = start(idx.size(0), idx.size(1), idx.device)
        logits = []
        for t in range(idx.size(1)):
            out, state, _ = advance(state, idx[:, t])
            logits.append(out)
        logits = torch.stack(logits, 1)  # (B, T, V)
        return logits, answer_loss(logits, targets)

    def prefill(self, idx, lengths):
        start, advance = self.reader(self.cfg.answer_with == "soft")
        longest = int(lengths.max())
        state = start(idx.size(0), longest, idx.device)
        logits = None
        for t in range(longest):
            live = t < lengths
            out, state, _ = advance(state, idx[:, t], live)
            logits = out if logits is None else torch.where(live[:, None], out, logits)
        return logits, state

    def step(self, state, token):
        advance = self.advance_discrete if isinstance(state[1], RealStack) else self.advance  # the state's own form
        logits, state, _ = advance(state, token)
        return logits, state

    def select(self, state, rows):
        h, stack = state
        if isinstance(stack, RealStack):  # the buffer stays; the rows that go on keep their pointers
            return h[rows], stack._replace(size=stack.size[rows], rows=stack.rows[rows])
        return h[rows], stack[rows]
