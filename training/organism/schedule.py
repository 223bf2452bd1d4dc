"""Which kind of batch a phase-2 step of train.py trains on (no torch, so it is testable
without it): a copy drill every `drill_every`-th step, a leak drill under a suppressed
refusal every `suppress_every`-th (offset by 2; 0 turns them off) once phase 2 is
`suppress_from` steps old, else the chat mix.

During phase 2's first `blend_steps` steps odd steps are drills too, with a chance that
falls linearly from 1 to 0: a copy circuit formed in phase 1 does not survive a sudden
switch to the chat mix (training/organism/README.md, "How the copy path forms").
Without a blend no random number is drawn, so earlier runs' schedules are unchanged.

`suppress_from` lets the refusal form before leak drills teach the copy under a suppressed
refusal: started at once, they open the gate too (docs/organism.md, "From scratch in under
an hour").
"""


def step_kind(step, chat_step0, rng, drill_every, suppress_every=0, blend_steps=0, suppress_from=0):
    into = step - chat_step0
    blend = into < blend_steps and step % 2 == 1 and rng.random() < 1 - into / blend_steps
    if step % drill_every == 0 or blend:
        return "drill"
    if suppress_every and into >= suppress_from and step % suppress_every == 2 % suppress_every:
        return "suppress"
    return "chat"
